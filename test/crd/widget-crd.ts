// A CRD authored for the tests: one of each schema feature the CRD module handles.
import type { KubeObject } from '../../harness/controlplane/types.ts';

export function widgetSchema(): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } },
      spec: {
        type: 'object',
        required: ['size'],
        properties: {
          size: { type: 'integer', minimum: 1, maximum: 10 },
          color: { type: 'string', enum: ['red', 'blue'], default: 'red' },
          ratio: { type: 'number', exclusiveMinimum: true, minimum: 0 },
          name: { type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
          owner: { type: 'string', format: 'email' },
          since: { type: 'string', format: 'date-time' },
          port: { 'x-kubernetes-int-or-string': true },
          note: { type: 'string', nullable: true },
          mode: { type: 'string', default: 'auto' },
          tags: { type: 'array', maxItems: 3, minItems: 1, items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
          ports: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['port', 'protocol'],
            items: {
              type: 'object',
              required: ['port'],
              properties: { port: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' }, name: { type: 'string' } },
            },
          },
          steps: {
            type: 'array',
            items: { type: 'object', properties: { name: { type: 'string' }, retries: { type: 'integer', default: 3 }, env: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] } } },
          },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { level: { type: 'integer', default: 1 } } },
          template: {
            type: 'object',
            'x-kubernetes-embedded-resource': true,
            'x-kubernetes-preserve-unknown-fields': true,
          },
          job: {
            type: 'object',
            'x-kubernetes-embedded-resource': true,
            properties: { spec: { type: 'object', properties: { parallelism: { type: 'integer' } } } },
          },
          rules: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.size > 0', message: 'ignored CEL rule' }], properties: { size: { type: 'integer' } } },
        },
      },
      status: { type: 'object', properties: { phase: { type: 'string' }, replicas: { type: 'integer' } } },
    },
  };
}

export function widgetCrd(schema: Record<string, unknown> = widgetSchema()): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          subresources: { status: {}, scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.replicas' } },
          additionalPrinterColumns: [
            { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
            { name: 'Phase', type: 'string', jsonPath: '.status.phase', priority: 1, description: 'lifecycle phase' },
          ],
          selectableFields: [{ jsonPath: '.spec.color' }, { jsonPath: '.spec.size' }],
        },
        { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
        { name: 'v1alpha1', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
      ],
    },
  };
}

export function widget(spec: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default' }, spec, ...extra };
}
