export {
  IMAGE_LIMITS,
  ImageRejectedError,
  checkAttachmentMetadata,
  checkLimits,
  type AttachmentMetadata,
  type ImageFacts,
  type ImageRejection,
  type SupportedImageType,
} from './limits.js';
export { sniffImage, type SniffResult } from './sniff.js';
export { classifyAddress, closeGuardedAgents, isPublicAddress, type AddressPolicy } from './address.js';
export {
  probeImage,
  validateAttachment,
  validateImageUrl,
  type ProbeOptions,
  type ProbeResult,
} from './probe.js';
export {
  downloadToFile,
  type DownloadOptions,
  type DownloadRefusal,
  type DownloadResult,
} from './download.js';
