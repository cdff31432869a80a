import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Services } from '../src/handlers/services.js';
import { JOB_PREFIX } from '../src/discord/render.js';
import { TITLE_MAX } from '../src/domain/names.js';
import { SIDE_VIEWS, type SideView } from '../src/domain/views.js';
import { executeModel3d } from '../src/handlers/model3d.js';
import { handleJobButton } from '../src/handlers/job-buttons.js';

const VIEW_ZH = { left: '左侧', back: '背面', right: '右侧' } as const;

/** `left`, `back`, `right`: the same object from another side, with `image` as its front. */
function sideViewOption<V extends SideView>(view: V) {
  return {
    type: ApplicationCommandOptionType.Attachment,
    name: view,
    description: `Optional: the same object seen from the ${view}, to go with image as the front (JPEG or PNG)`,
    description_localizations: { 'zh-CN': `可选：同一物体的${VIEW_ZH[view]}视图，与作为正面的 image 一起使用(JPEG 或 PNG)` },
    required: false,
  } as const;
}

export const definition = {
  name: 'model3d',
  type: ApplicationCommandType.ChatInput,
  description: 'Turn a picture into a textured 3D model you can download (GLB)',
  description_localizations: { 'zh-CN': '把一张图片变成可下载的带贴图 3D 模型 (GLB)' },
  contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  options: [
    {
      type: ApplicationCommandOptionType.Attachment,
      name: 'image',
      description: 'Upload a JPEG or PNG picture of one object, its front (20–6000 px per side, up to 20 MB)',
      required: false,
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'url',
      description: 'Or paste a public http(s) link to a JPEG or PNG picture instead of uploading',
      required: false,
      max_length: 2000,
    },
    ...SIDE_VIEWS.map((view) => sideViewOption(view)),
    {
      type: ApplicationCommandOptionType.String,
      name: 'title',
      description: 'Optional name for the model: the title of the result and its file names (e.g. teapot.glb)',
      description_localizations: { 'zh-CN': '可选的模型名称：用作结果标题和文件名(例如 teapot.glb)' },
      required: false,
      max_length: TITLE_MAX,
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'quality',
      description: 'Texture detail: standard (default) or detailed (costs more quota)',
      required: false,
      choices: [
        { name: 'standard', value: 'standard' },
        { name: 'detailed', value: 'detailed' },
      ],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export async function execute(interaction: ChatInputCommandInteraction, s: Services): Promise<void> {
  await executeModel3d(interaction, s);
}

/** Buttons on results: `job:retry|detailed|delete|share:<jobId>` (see src/handlers/job-buttons.ts). */
export const componentPrefix = JOB_PREFIX;

export async function handleComponent(interaction: ButtonInteraction, s: Services): Promise<void> {
  await handleJobButton(interaction, s);
}
