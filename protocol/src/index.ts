/**
 * The protocol both packages speak: the report and its insight groups (types,
 * field lists, limits, JSON Schemas), the catalogue of what each field is for,
 * the collector's answer, durations and capped reading. The plugin and the
 * collector import it by package name; each build copies the compiled
 * protocol into its own `dist/node_modules`, so each published tarball
 * carries it and installs alone.
 */
export * from './answer';
export * from './durations';
export * from './editor-actions';
export * from './field-catalogue';
export * from './insight';
export * from './insight-schemas';
export * from './patterns';
export * from './read-capped';
export * from './report';
export * from './schema-fields';
export * from './schema-text';
