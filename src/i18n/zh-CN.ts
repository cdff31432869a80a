import { list, type MemberTable, type MessageFind } from './en.js';
import type { View } from '../domain/views.js';
import { formatBytes, formatDurationZh, ts } from './format.js';

/**
 * Simplified Chinese, for members whose Discord language is 中文 (zh-CN). Covers everything a
 * member sees on the main path (errors, input checks, job progress and results, provider errors,
 * quota denials and `/quota`, history). The moderator-only `admin.*` and `audit.*` keys stay
 * English on purpose (moderation wording is easier to support in one language); `t` falls back
 * to English for those. Typed as the member table: a member key missing here, or a parameter
 * that differs from English, fails the type-check.
 */
export const zhCN: MemberTable = {
  // --- generic ---
  'error.internal': () => '我们这边出了点问题。未扣除任何额度，请稍后再试。',
  'error.unknownCommand': () => '此命令已不再可用。',
  'error.guildOnly': () => '此命令只能在服务器中使用。',

  // --- /model3d input ---
  'input.needOne': () => '请只提供一张图片：要么附加 `image`，要么粘贴 `url`，二者必须且只能选其一。',
  'input.badScheme': (v) => `只接受 http 和 https 链接；此链接使用的是 \`${v.scheme}\`。`,
  'input.invalidUrl': () => '这看起来不是有效的网址。',
  'input.badQuality': (v) => `\`quality\` 只能是 ${v.allowed.map((q) => `\`${q}\``).join('、')}；你提供的是 \`${v.given}\`。`,
  'input.unsupportedType': (v) =>
    `${v.subject ?? '图片'}必须是 JPEG 或 PNG 格式；此文件${v.found === 'unknown' ? '不是可识别的图片' : `是 ${v.found}`}。`,
  'input.tooSmall': (v) => `${v.subject ?? '图片'}为 ${v.width}×${v.height} 像素；每边最小 ${v.min} 像素。`,
  'input.tooLargeDimensions': (v) => `${v.subject ?? '图片'}为 ${v.width}×${v.height} 像素；每边最大 ${v.max} 像素。`,
  'input.fileTooLarge': (v) => `${v.subject ?? '图片'}大小为 ${formatBytes(v.bytes, 'zh-CN')}；最大 ${formatBytes(v.max, 'zh-CN')}。`,
  'input.privateAddress': (v) => `该链接指向私有或本地地址（${v.host}）；只能使用公网地址。`,
  'input.tooManyRedirects': (v) => `该链接重定向超过 ${v.max} 次；请直接提供图片的链接。`,
  'input.httpError': (v) => `无法获取图片：服务器返回了 HTTP ${v.status}。`,
  'input.timeout': (v) => `图片服务器在 ${Math.round(v.ms / 1000)} 秒内没有响应。`,
  'input.unreachable': () => '无法连接到图片服务器。',
  'input.unreadable': () => '无法读取图片：其宽度和高度信息缺失或已损坏。',

  // --- job progress and results ---
  'job.title': () => '图片 → 3D 模型',
  'job.submitting': (v) => `正在将 ${v.user} 的图片发送到 3D 生成器…`,
  'job.queued': (v) => `⏳ 生成器**排队中** — 提交于 ${ts(v.since)}。`,
  'job.running': (v) => `🛠️ 模型**生成中** — 提交于 ${ts(v.since)}，开始生成于 ${ts(v.started)}。`,
  'job.typically': (v) => `此类任务通常需要约 ${formatDurationZh(v.typicalMs)}。`,
  'job.progressFooter': () => '模型生成完成后，此消息会自动更新。',
  'job.succeeded': (v) => `✅ ${v.user}，你的 3D 模型已生成。`,
  'job.field.quality': () => '质量',
  'job.field.time': () => '耗时',
  'job.field.requestedBy': () => '请求者',
  'job.field.model': () => '模型',
  'job.quality.standard': () => '标准',
  'job.quality.detailed': () => '精细',
  'job.modelAttached': (v) => `已附上 GLB 文件（${v.size}）。`,
  'job.modelLinkOnly': (v) =>
    `GLB 文件超过了此频道的上传限制（${v.limit}），因此改为提供链接` +
    (v.expiresAt ? `；链接将于 ${ts(v.expiresAt)} 失效，请在此之前下载。` : '。'),
  'job.filesRefused': (v) =>
    `未附上任何文件：服务商的链接${
      v.reason === 'private_address' ? '指向私有或本地地址' : v.reason === 'bad_scheme' ? '不是 http(s) 链接' : '重定向次数过多'
    }，因此机器人没有下载它。请使用服务商的链接` + (v.expiresAt ? `；链接将于 ${ts(v.expiresAt)} 失效。` : '。'),
  'job.field.stats': () => '模型信息',
  'job.stats': (v) =>
    `${v.triangles} 个三角形 · ${v.vertices} 个顶点 · ${v.materials} 种材质 · ${v.textures} 张贴图` +
    (v.texturePx ? `（最大 ${v.texturePx} 像素）` : '') +
    `\n尺寸 ${v.dims} 单位 · ${v.size}`,
  'job.validation': (v) =>
    v.clean ? `glTF 校验：无错误，${v.warnings} 个警告` : `glTF 校验：生成器的文件有 ${v.errors} 个错误、${v.warnings} 个警告`,
  'job.fit': (v) => `已缩小 ${v.before} → ${v.after}：${v.steps}`,
  'job.fit.lossless': () => '无损整理',
  'job.fit.jpeg': () => '贴图转为 JPEG',
  'job.fit.downscale': (v) => `贴图 ${v.from}→${v.to} 像素`,
  'job.fit.simplify': (v) => `网格简化至 ${v.percent}%`,
  'job.fit.draco': () => 'Draco 网格压缩',
  'job.modelUnprocessable': (v) =>
    `机器人无法处理此模型（${v.reason}），因此按生成器提供的原样附上链接` +
    (v.expiresAt ? `；链接将于 ${ts(v.expiresAt)} 失效，请在此之前下载。` : '。'),
  'job.unprocessable.corrupt': () => '文件已损坏',
  'job.unprocessable.timeout': () => '处理时间过长',
  'job.unprocessable.memory': () => '所需内存过多',
  'job.unprocessable.crashed': () => '处理多次被中断',
  'job.unprocessable.error': () => '发生意外错误',
  'job.unprocessable.too_complex': (v) => `模型过于复杂，无法在此处理：${v.what}`,
  'job.tooComplex.triangles': (v) => `实例化后共 ${v.value} 个三角形，上限为 ${v.max}`,
  'job.tooComplex.nodes': (v) => `${v.value} 个节点，上限为 ${v.max}`,
  'job.tooComplex.accessorBytes': (v) => `其中一个数据数组将占用 ${v.value}，上限为 ${v.max}`,
  'job.tooComplex.totalAccessorBytes': (v) => `数据数组共将占用 ${v.value}，上限为 ${v.max}`,
  'job.tooComplex.textures': (v) => `${v.value} 张贴图，上限为 ${v.max}`,
  'job.tooComplex.texturePixels': (v) => `一张 ${v.dims} 像素的贴图（${v.value} 像素），上限为 ${v.max} 像素`,
  'job.tooComplex.totalTexturePixels': (v) => `贴图共 ${v.value} 像素，上限为 ${v.max}`,
  'job.modelNotDownloaded': (v) =>
    `GLB 文件超过机器人下载上限（${v.max}），因此按生成器提供的原样附上链接` +
    (v.expiresAt ? `；链接将于 ${ts(v.expiresAt)} 失效，请在此之前下载。` : '。'),
  'job.modelTooLargeAfterFit': (v) =>
    `即使压缩到 ${v.size}，GLB 文件仍超过此频道的上传限制（${v.limit}），因此改为提供链接` +
    (v.expiresAt ? `；链接将于 ${ts(v.expiresAt)} 失效，请在此之前下载。` : '。'),
  'job.exportStlButton': () => 'STL（3D 打印）',
  'job.exportObjButton': () => 'OBJ（.zip 压缩包）',
  'export.sent': (v) =>
    v.kind === 'stl'
      ? `任务 #${v.id} 的 STL（${v.size}）：二进制格式，Z 轴向上，高 ${v.heightMm} 毫米。`
      : `任务 #${v.id} 的 OBJ（${v.size}）：包含 model.obj、model.mtl 和 JPEG 格式的基础颜色贴图。`,
  'export.tooLarge': (v) =>
    `任务 #${v.id} 的 ${v.kind.toUpperCase()} 文件为 ${v.size}，超过了你在此处的上传限制（${v.limit}），无法发送。`,
  'export.unavailable': (v) => `任务 #${v.id} 没有可导出的模型（尚未完成、已被移除或文件已删除）。`,
  'export.queueFull': (v) => `机器人正在生成大量模型。请约 ${v.seconds} 秒后再试此导出。`,
  'export.busy': () => '你已有一个导出正在生成。等它送达后才能再生成下一个。',
  'export.hourly': (v) => `你在过去一小时内已生成 ${v.max} 个导出，已达上限。你可以在 ${v.minutes} 分钟后再生成下一个导出。`,
  'export.failedBefore': (v) =>
    `机器人无法生成任务 #${v.id} 的 ${v.kind.toUpperCase()}：${v.failure === 'timeout' ? '耗时过长' : v.failure === 'memory' ? '模型所需内存超出机器人的限制' : v.failure === 'corrupt' ? '无法读取模型' : '无法转换模型'}。机器人不会再尝试；GLB 文件本身不受影响。`,
  'export.failed': (v) => `机器人无法生成任务 #${v.id} 的此导出文件。GLB 文件本身不受影响。`,
  'job.downloadButton': () => '下载 GLB',
  'job.sendFilesButton': () => '把文件发给我',
  'job.failed': (v) =>
    `❌ ${v.user}，生成器无法根据这张图片生成模型。\n原因：**${v.code}** ${v.message}\n此请求不会再有后续结果。`,
  'job.canceled': (v) => `❌ ${v.user}，生成器取消了此任务。此请求不会再有后续结果。`,
  'job.expired': (v) => `❌ ${v.user}，生成器已找不到此任务（已过期或丢失）。此请求不会再有后续结果。`,
  'job.timedOut': (v) =>
    `⌛ ${v.user}，生成器未在 ${formatDurationZh(v.waitedMs)} 内完成，机器人已停止等待。此请求不会再有后续结果。`,
  'job.notSubmitted': (v) =>
    `❌ ${v.user}，任务无法启动：${v.reason}${/[。！？]$/.test(v.reason) ? '' : ' '}未扣除你的额度。`,
  'job.outcomeUnknown': (v) =>
    `⚠️ ${v.user}，机器人在发送你的图片时与生成器失去了联系（重启或网络故障），因此无法确定任务是否已启动。机器人不会自动重新提交（那样可能会重复扣费）。如果仍需要该模型，请重新运行 /model3d。`,
  'job.chargedNote': () => '你的额度已退还。',
  'job.newMessageNote': (v) => `${v.user}，无法编辑原来的回复，因此在这里发送你的结果。`,

  // --- upstream errors as members see them ---
  'upstream.auth': () => '机器人的生成器账户被拒绝（密钥或余额问题）。已在日志中通知管理员。',
  'upstream.rateLimited': () => '生成器目前繁忙，请一分钟后再试。',
  'upstream.server': () => '生成器发生内部错误，请稍后再试。',
  'upstream.badRequest': () => '生成器拒绝了该请求。',

  // --- history ---
  'history.titleGuild': (v) => (v.count === 1 ? '你在此服务器中的最近一个模型' : `你在此服务器中的最近 ${v.count} 个模型`),
  'history.titleDm': (v) => (v.count === 1 ? '你在私信中的最近一个模型' : `你在私信中的最近 ${v.count} 个模型`),
  'history.hint': () => '使用 `/model3d-history job:<编号>` 可再次获取某个模型的文件（仅你可见）。',
  'history.emptyGuild': () => '你还没有在此服务器中生成过 3D 模型。试试用一张物体的图片运行 `/model3d`！',
  'history.emptyDm': () => '你还没有在私信中生成过 3D 模型。试试用一张物体的图片运行 `/model3d`！',
  'history.entryName': (v) => `#${v.id} · ${v.quality} · ${v.state}`,
  'history.entryValue': (v) =>
    `${ts(v.at, 'f')}` +
    (v.tookMs === null ? '' : ` · 耗时 ${formatDurationZh(v.tookMs)}`) +
    (v.link ? ` · [查看结果](${v.link})` : ''),
  'history.more': (v) => `还有 ${v.hidden} 个较早的任务未能显示；请把 \`count\` 调小。`,
  'history.state': (v) => {
    if (v.removed) return '🗑️ 已被管理员移除';
    const code = v.code ? `（${v.code}）` : '';
    switch (v.state) {
      case 'submitting':
      case 'queued':
      case 'running':
        return '⏳ 进行中';
      case 'succeeded':
        return '✅ 已完成';
      case 'failed':
        return `❌ 失败${code}`;
      case 'canceled':
        return '❌ 已取消';
      case 'expired':
        return '❌ 已在生成器端过期';
      case 'timed_out':
        return '⌛ 已超时';
      case 'not_submitted':
        return `❌ 未启动${code}`;
      case 'outcome_unknown':
        return '⚠️ 结果未知';
      default:
        return v.state;
    }
  },
  'history.job.notFound': (v) => `你没有 #${v.id} 号任务。运行不带 \`job\` 的 \`/model3d-history\` 可查看你的任务编号。`,
  'history.job.removed': (v) => `任务 #${v.id} 的结果已被管理员移除，无法再次发送。`,
  'history.job.inProgress': (v) =>
    `任务 #${v.id} 仍在生成中。${v.link ? `结果将显示在[原消息](${v.link})中。` : '结果将显示在原消息中。'}`,
  'history.job.noModel': (v) => `任务 #${v.id} 没有生成模型：${v.state}。`,
  'history.job.resent': (v) =>
    `这是任务 #${v.id}（${ts(v.at, 'f')}）的模型：已附上 GLB 文件（${v.size}）${v.picture === 'turntable' ? '及其旋转动画' : v.picture === 'preview' ? '及其预览图' : ''}。`,
  'history.job.tooLarge': (v) =>
    `任务 #${v.id} 的 GLB 文件${v.size ? `（${v.size}）` : ''}超过了此处的上传限制（${v.limit}），无法再次发送。`,
  'history.job.fileGone': (v) => `机器人已不再保存任务 #${v.id} 的 GLB 文件副本，无法再次发送。`,
  'history.job.linkValid': (v) =>
    `生成器的[下载链接](${v.url})在 ${ts(v.expiresAt, 'f')}（${ts(v.expiresAt)}）之前仍然有效。`,
  'history.job.linkExpired': (v) => `生成器的下载链接已于 ${ts(v.expiresAt, 'f')} 过期。`,
  'history.job.original': (v) => `文件可能仍附在[原消息](${v.link})中。`,

  // --- quota: denials and /quota ---
  'quota.denied.blocked': (v) =>
    `🚫 管理员已禁止你在此服务器中生成 3D 模型${v.reason ? `（原因：${v.reason}）` : ''}。未提交任何任务。`,
  'quota.denied.userDaily': (v) =>
    `你已达到每日上限：今天你的 ${v.allowance} 点额度还剩 ${v.remaining} 点，而此模型需要 ${v.cost} 点。额度将于 ${ts(v.resetsAt)} 重置。未提交任何任务。`,
  'quota.denied.userDailyAll': (v) =>
    `你已达到所有服务器和私信共用的每日上限：今天你的 ${v.allowance} 点额度还剩 ${v.remaining} 点，而此模型需要 ${v.cost} 点。额度将于 ${ts(v.resetsAt)} 重置。未提交任何任务。`,
  'quota.denied.guildDaily': (v) =>
    `此服务器已达到每日上限：今天的 ${v.allowance} 点额度还剩 ${v.remaining} 点，而此模型需要 ${v.cost} 点。上限将于 ${ts(v.resetsAt)} 重置。未提交任何任务。`,
  'quota.denied.globalDaily': (v) =>
    `机器人已达到所有服务器共用的每日上限：今天的 ${v.allowance} 点额度还剩 ${v.remaining} 点，而此模型需要 ${v.cost} 点。上限将于 ${ts(v.resetsAt)} 重置。未提交任何任务。`,
  'quota.denied.concurrent': (v) =>
    `你已有 ${v.inFlight} 个模型正在生成，同时最多只能生成 ${v.max} 个。请等其中一个完成后再试。未提交任何任务。`,
  'quota.denied.cooldown': (v) => `两次生成之间请稍等片刻：你可以在 ${ts(v.until)} 开始下一个。未提交任何任务。`,

  'quota.status.headerGuild': () => '**你在此服务器中的 3D 模型额度**',
  'quota.status.headerDm': () => '**你在私信中的 3D 模型额度**',
  'quota.status.remaining': (v) => `今日剩余：**${v.remaining}** / ${v.allowance} 点`,
  'quota.status.everywhere': (v) => `所有服务器和私信合计：今日剩余 **${Math.max(0, v.allowance - v.used)}** / ${v.allowance} 点（已用 ${v.used} 点）`,
  'quota.status.costs': (v) =>
    `标准模型需要 ${v.standard} 点，精细模型需要 ${v.detailed} 点。` +
    (v.multiviewExtra > 0 ? `用多个视角(\`left\`、\`back\`、\`right\`)制作的模型另加 ${v.multiviewExtra} 点。` : ''),
  'quota.status.month': (v) => `本月已用：${Math.max(0, v.used)} 点`,
  'quota.status.inFlight': (v) => `正在生成：${v.inFlight} 个（同时最多 ${v.max} 个）`,
  'quota.status.cooldown': (v) => `下一个模型可在 ${ts(v.until)} 开始`,
  'quota.status.noCooldown': () => '无需等待：你现在就可以生成模型。',
  'quota.status.resets': (v) => `每日额度将于 ${ts(v.at)}（${ts(v.at, 'f')}）重置。`,
  'quota.status.blocked': (v) => `🚫 管理员已禁止你在此服务器中生成模型${v.reason ? `（原因：${v.reason}）` : ''}。`,
  'quota.status.refundNote': () => '失败、被取消、过期或超时的任务会退还额度。',

  // --- seen by members when a moderator removed their result ---
  'result.removedByModerator': () => '🗑️ 此 3D 模型已被管理员移除。',
  'job.button.retry': () => '重试',
  'job.button.detailed': () => '精细版',
  'job.button.delete': () => '删除',
  'job.button.share': () => '分享到画廊',
  'job.button.view3d': () => '3D 查看',
  'job.action.notYours': (v) => `只有请求此模型的成员才能使用 **${v.button}**。请运行 \`/model3d\` 制作你自己的模型。`,
  'job.action.stale': () => '此按钮所属的模型已不存在(已被删除或移除)。请运行 `/model3d` 制作新模型。',
  'job.action.wrongState': (v) => `**${v.button}** 已不适用于任务 #${v.id}：此消息发出后其结果已改变。`,
  'job.action.alreadyRunning': (v) =>
    `由此按钮启动的任务 #${v.id} 仍在制作中${v.link ? `([查看](${v.link}))` : ''}。未启动新任务，也未扣除额度。`,
  'job.action.detailedExists': (v) =>
    `此模型的精细版已经制作完成：任务 #${v.id}${v.link ? `([查看](${v.link}))` : ''}。未扣除额度。`,
  'job.action.started': (v) => `已启动任务 #${v.id}。它会作为对此结果的回复出现${v.link ? `([跳转](${v.link}))` : ''}。`,
  'job.action.deleteRefused': () => '只有请求此模型的成员，或在此频道拥有 **管理消息** 权限的成员，才能删除它。',
  'job.action.notFinished': (v) => `任务 #${v.id} 仍在制作中；完成后才能删除。`,
  'job.removedBy': (v) => `🗑️ 此 3D 模型已被 ${v.user} 移除。`,
  'job.action.pictureGone': (v) => `原始图片已无法获取(${v.reason})，因此不能再次使用。请用该图片重新运行 \`/model3d\`。未扣除额度。`,
  'gallery.postName': (v) => `${v.name} 的 3D 模型`,
  'gallery.field.quality': () => '质量',
  'gallery.field.stats': () => '模型',
  'gallery.field.original': () => '原始结果',
  'gallery.field.by': () => '制作者',
  'gallery.jump': () => '跳转到结果',
  'gallery.footer': (v) => `任务 #${v.id}`,
  'gallery.shared': (v) => `✅ 已分享到画廊${v.link ? `：${v.link}` : '。'}`,
  'gallery.alreadyShared': (v) => `此模型已在画廊中${v.link ? `：${v.link}` : ''}。每个模型只分享一次。`,
  'gallery.sharing': () => '此模型正在分享到画廊。每个模型只分享一次。',
  'gallery.removedShare': () => '此模型已从画廊中移除，因此不会再次分享。',
  'gallery.off': () => '本服务器没有(或已关闭)画廊。管理员可以用 `/model3d-admin gallery set` 设置。',
  'gallery.noModel': () => '机器人已没有此模型的文件，无法分享。请运行 `/model3d` 制作新模型。',
  'gallery.missingPermission': (v) =>
    `无法分享此模型：机器人在 <#${v.channelId}> 缺少 **${v.permission}** 权限。请让管理员授予该权限；未发布任何内容。`,
  'gallery.failed': () => '暂时无法发布到画廊；未发布任何内容。请稍后再试。',
  'gallery.permissionName': (v) =>
    ({ ViewChannel: '查看频道', SendMessages: '发送消息', EmbedLinks: '嵌入链接', AttachFiles: '附加文件' })[v.name] ?? '发送消息',

  // --- more ways in: several views, and Apps → Make 3D model ---
  'view.name': (v) => VIEW_ZH[v.view],
  'input.viewSubject': (v) => `${VIEW_ZH[v.view]}视图`,
  'input.viewRefused': (v) => `${v.subject}：${v.reason}`,
  'input.needFront': () => '`left`、`back` 和 `right` 视角需要搭配正面图片：请同时以 `image` 附加(或用 `url` 粘贴)正面图片。未扣除任何额度。',
  'job.field.views': () => '视角',
  'job.viewCount': (v) => `${v.count} 个视角`,
  'job.viewList': (v) => `${v.count} 个视角：${v.names}`,
  'job.field.fromMessage': () => '来源',
  'job.fromMessage': (v) => `[这条消息](${v.link})`,
  'fromMessage.nothing': () => '那条消息里没有图片，无法制作模型。需要一张 JPEG 或 PNG 图片(附件或图片链接)。',
  'fromMessage.noJpegPng': (v) => `那条消息里有${list('zh-CN', v.kinds.map((f) => FIND_ZH[f]))}，但没有 JPEG 或 PNG 图片。未扣除任何额度。`,
};

const VIEW_ZH: Record<View, string> = { front: '正面', left: '左侧', back: '背面', right: '右侧' };
const FIND_ZH: Record<MessageFind, string> = {
  gif: ' GIF 动图',
  webp: ' WebP 图片',
  otherImage: '其他格式的图片',
  video: '视频',
  audio: '音频文件',
  file: '文件',
  link: '链接',
  sticker: '贴纸',
};
