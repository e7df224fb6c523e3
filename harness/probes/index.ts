export * from './types.ts';
export { MemoryProbe, readProcessRss, readPodMemory, type MemorySource, type MemoryProbeOptions } from './memory.ts';
export { routeSettings, renderHaproxyConfig, measureBalance, startReplicas, sendRequests, spread, ANN_BALANCE, ANN_DISABLE_COOKIES, type RouteSettings } from './route.ts';
export { parseMemoryQuantity, formatBytes } from './quantity.ts';
