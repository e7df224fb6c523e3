// Discovery documents the API server serves: /version, legacy and aggregated discovery, OpenAPI v3.
export { versionInfo, type VersionInfo } from './version.ts';
export { legacyApi, legacyApis, apiGroup, apiResourceList, storageVersionHash } from './legacy.ts';
export { aggregatedDiscovery, acceptsAggregatedDiscovery, AGGREGATED_DISCOVERY_CONTENT_TYPE } from './aggregated.ts';
export { openapiV3Root, openapiV3GroupVersion, openapiGroupVersionPath, openapiSchemaName } from './openapi.ts';
export { groupTypes, type DiscoveryDocument } from './grouping.ts';
