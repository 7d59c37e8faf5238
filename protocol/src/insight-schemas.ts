import { EDITOR_CORE_ACTIONS } from './editor-actions';
import { CONTAINER_KINDS, CORE_NODE_TYPES, CoreNodeType, DEPLOY_TYPES, EDITOR_LANGUAGES, EDITOR_THEMES, EDITOR_VIEWPORTS, ERROR_NAME_PATTERN, GRAPH_COUNT_FIELDS, MAX_COUNT, MAX_LIFECYCLE_EVENTS, MAX_PROVIDER_FIELDS, MAX_PROVIDER_STRING, MAX_PROVIDERS, NPM_NAME_PATTERN, PI_MODELS, PROVIDER_FIELD_PATTERN, PROVIDER_ID_PATTERN, STORAGE_KINDS, UPTIME_BUCKETS } from './insight';
import { TEXT_PATTERN } from './patterns';

const count = { type: 'integer', minimum: 0, maximum: MAX_COUNT } as const;
const bool = { type: 'boolean' } as const;
const oneOf = <T extends readonly string[]>(values: T) => ({ type: 'string', enum: values }) as const;
const closed = <P extends Record<string, unknown>>(properties: P, required: readonly string[] = Object.keys(properties)) =>
  ({ type: 'object', additionalProperties: false, required, properties }) as const;

/** Counts under names from a closed list, each optional: a name outside it is not part of the group. */
const countsOf = (names: readonly string[]) =>
  ({ type: 'object', additionalProperties: false, properties: Object.fromEntries(names.map((n) => [n, count])) as Record<string, typeof count> }) as const;

const graphSchema = closed(Object.fromEntries(GRAPH_COUNT_FIELDS.map((f) => [f, count])) as Record<(typeof GRAPH_COUNT_FIELDS)[number], typeof count>);
/** A UTC day, `YYYY-MM-DD`, as lifecycle events carry it. */
export const DAY_PATTERN = '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$';
const day = { type: 'string', pattern: DAY_PATTERN, maxLength: 10 } as const;

/** The JSON Schema of each group, strict: types, ranges, enumerations, caps, nothing undeclared. */
export const INSIGHT_JSON_SCHEMAS = {
  flows: closed({
    ...graphSchema.properties,
    modules: count,
    types: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries([...CORE_NODE_TYPES, 'other'].map((t) => [t, count])) as Record<CoreNodeType | 'other', typeof count>,
    },
  }),
  features: closed({
    adminAuth: bool,
    httpNodeAuth: bool,
    https: bool,
    projects: bool,
    contextStores: closed({ memory: { type: 'integer', minimum: 0, maximum: 100 }, localfilesystem: { type: 'integer', minimum: 0, maximum: 100 }, other: { type: 'integer', minimum: 0, maximum: 100 } }),
    functionExternalModules: bool,
    editorTheme: bool,
    disableEditor: bool,
    storage: oneOf(STORAGE_KINDS),
  }),
  environment: closed(
    {
      cpus: { type: 'integer', minimum: 1, maximum: 4096 },
      memoryGiB: { type: 'integer', minimum: 0, maximum: 65536 },
      diskFreeGiB: { type: 'integer', minimum: 0, maximum: MAX_COUNT },
      container: oneOf(CONTAINER_KINDS),
      kubernetes: bool,
      ci: bool,
      officialDockerImage: bool,
      piModel: oneOf(PI_MODELS),
      uptime: oneOf(UPTIME_BUCKETS),
    },
    ['cpus', 'memoryGiB', 'container', 'kubernetes', 'ci', 'officialDockerImage', 'piModel', 'uptime'],
  ),
  lifecycle: closed({
    events: {
      type: 'array',
      maxItems: MAX_LIFECYCLE_EVENTS,
      items: {
        oneOf: [
          closed({ type: oneOf(['start', 'stop'] as const), day }),
          closed({
            type: { const: 'crash' },
            day,
            error: { type: 'string', pattern: ERROR_NAME_PATTERN, maxLength: 64 },
            module: { type: 'string', pattern: NPM_NAME_PATTERN, maxLength: 214 },
          }),
          closed({ type: { const: 'deploy' }, day, deploy: oneOf(DEPLOY_TYPES), graph: graphSchema }),
        ],
      },
    },
  }),
  editor: closed({
    sessions: count,
    actions: countsOf([...EDITOR_CORE_ACTIONS, 'other']),
    languages: countsOf(EDITOR_LANGUAGES),
    themes: countsOf(EDITOR_THEMES),
    viewports: countsOf(EDITOR_VIEWPORTS),
  }),
  ext: {
    type: 'object',
    maxProperties: MAX_PROVIDERS,
    propertyNames: { pattern: PROVIDER_ID_PATTERN, maxLength: 64 },
    additionalProperties: {
      type: 'object',
      maxProperties: MAX_PROVIDER_FIELDS,
      propertyNames: { pattern: PROVIDER_FIELD_PATTERN, maxLength: 64 },
      additionalProperties: {
        oneOf: [
          { type: 'string', maxLength: MAX_PROVIDER_STRING, pattern: TEXT_PATTERN },
          { type: 'number', minimum: -1e15, maximum: 1e15 },
          { type: 'boolean' },
          { type: 'null' },
        ],
      },
    },
  },
} as const;
