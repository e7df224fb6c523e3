// The parts of a CustomResourceDefinition (apiextensions.k8s.io/v1) this module reads.
import type { KubeObject } from '../types.ts';

/** JSONSchemaProps as written in a CRD (OpenAPI v3 subset plus Kubernetes extensions). */
export interface Schema {
  type?: string;
  format?: string;
  description?: string;
  title?: string;
  nullable?: boolean;
  default?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema | Schema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean | number;
  exclusiveMaximum?: boolean | number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  $ref?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: unknown[];
}

export interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  schema?: { openAPIV3Schema?: Schema };
  subresources?: { status?: object; scale?: { specReplicasPath?: string; statusReplicasPath?: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: Array<{ name?: string; type?: string; format?: string; description?: string; priority?: number; jsonPath?: string }>;
  selectableFields?: Array<{ jsonPath?: string }>;
}

export interface CrdSpec {
  group?: string;
  scope?: string;
  preserveUnknownFields?: boolean;
  names?: { plural?: string; singular?: string; kind?: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions?: CrdVersion[];
  conversion?: { strategy?: string; webhook?: unknown };
}

export function crdSpec(crd: KubeObject): CrdSpec {
  return (crd.spec ?? {}) as CrdSpec;
}

export function versionOf(crd: KubeObject, version: string): CrdVersion | undefined {
  return crdSpec(crd).versions?.find((v) => v.name === version);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function itemsSchema(s: Schema): Schema | undefined {
  return Array.isArray(s.items) ? s.items[0] : s.items;
}

/** The schema below `additionalProperties`, or undefined for `false`/absent; `true` means "anything". */
export function additionalSchema(s: Schema): Schema | undefined {
  if (s.additionalProperties === true) return { 'x-kubernetes-preserve-unknown-fields': true };
  return isObject(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined;
}

/** The ObjectMeta fields kept by decoding (everything else under `metadata` is dropped). */
export const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);
