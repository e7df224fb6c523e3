// Kinds and messages the protobuf codec treats specially (input of generate-tables.ts too).

/** Kinds registered in every group version (meta/v1 AddToGroupVersion), accepted under any apiVersion. */
export const ANY_GROUP_KINDS: Record<string, string> = {
  DeleteOptions: 'meta.v1.DeleteOptions',
  Status: 'meta.v1.Status',
};

/** Messages with a JSON form of their own (message key → special type name used in the tables). */
export const WELL_KNOWN: Record<string, string> = {
  'meta.v1.Time': 'Time',
  'meta.v1.MicroTime': 'MicroTime',
  'meta.v1.Duration': 'Duration',
  'meta.v1.FieldsV1': 'FieldsV1',
  'runtime.RawExtension': 'RawExtension',
  // apiextensions' JSON is {optional bytes raw = 1} holding JSON, as RawExtension.
  'apiextensions.v1.JSON': 'RawExtension',
  'resource.Quantity': 'Quantity',
  'intstr.IntOrString': 'IntOrString',
};

/**
 * Messages whose JSON form is one of their fields, chosen by the JSON value's type (the
 * JSONSchemaPropsOr* types of CRD schemas): the field name used for an object, an array, a boolean.
 */
export interface UnionForm { object: string; array?: string; bool?: string }
export const UNION_MESSAGES: Record<string, UnionForm> = {
  'apiextensions.v1.JSONSchemaPropsOrArray': { object: 'schema', array: 'jSONSchemas' },
  'apiextensions.v1.JSONSchemaPropsOrBool': { object: 'schema', bool: 'allows' },
  'apiextensions.v1.JSONSchemaPropsOrStringArray': { object: 'schema', array: 'property' },
};
