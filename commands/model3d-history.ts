export { definition, execute, componentPrefix, handleComponent } from '../src/handlers/history.js';
