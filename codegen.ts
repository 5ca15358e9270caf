import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed operations for the widgets: every widgets/src/**\/*.graphql document, checked against the
 * committed schema.graphql, generated into widgets/src/gql (committed). `documentMode: 'string'` emits
 * plain query strings, so no graphql runtime reaches the bundles. `npm run codegen:check` fails when
 * the generated files are stale.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['widgets/src/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'widgets/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: true,
        scalars: { DateTimeISO: 'string', Decimal: 'string', JSONObject: 'Record<string, unknown>' },
      },
    },
  },
};

export default config;
