/** A list of SQL string literals, `'a', 'b'`, from known constants (job states): never from input. */
export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
