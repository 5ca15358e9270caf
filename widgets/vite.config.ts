import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

/** The per-element ESM modules (widgets/dist/esm/crm-<name>.js) and their entries. */
export const ELEMENT_ENTRIES: Record<string, string> = {
  'crm-provider': src('provider/index.ts'),
  'crm-churn-badge': src('churn-badge/index.ts'),
  'crm-customer-card': src('customer-card/index.ts'),
  'crm-feedback-form': src('feedback-form/index.ts'),
  'crm-nps-scale': src('nps-scale/index.ts'),
};

/**
 * The minifier leaves template-literal text alone: squeeze the CSS in Lit's css`` blocks (none of
 * ours interpolate) and the whitespace in codegen's query strings.
 */
function squeezeTemplates(): Plugin {
  const squeezeCss = (text: string) =>
    text
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\s+/g, ' ')
      .replace(/\s*([{};,>])\s*/g, '$1')
      .replace(/:\s+/g, ':')
      .replace(/;}/g, '}')
      .trim();
  return {
    name: 'clientele:squeeze-templates',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('/widgets/src/')) return null;
      let out = code.replace(/\bcss`([^`$]*)`/g, (_m, text: string) => `css\`${squeezeCss(text)}\``);
      if (id.endsWith('/gql/graphql.ts')) {
        out = out.replace(/new TypedDocumentString\(`([^`$]*)`/g, (_m, text: string) => `new TypedDocumentString(\`${text.replace(/\s+/g, ' ').trim()}\``);
      }
      return out === code ? null : { code: out, map: null };
    },
    // After minification the only raw newlines left are inside template literals (Lit's html``):
    // a newline plus indentation is whitespace HTML collapses anyway, so one space says the same.
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) if (file.type === 'chunk') file.code = file.code.replace(/\n\s*/g, ' ');
    },
  };
}

/**
 * One build per output (see widgets/scripts/build.ts, run by `npm run build:widgets`):
 * - mode `iife`: widgets/dist/crm-widgets.js, every element with Lit included, for one <script> tag;
 * - mode `crm-<name>`: widgets/dist/esm/crm-<name>.js, one self-contained ES module per element (its
 *   own copy of Lit, so each is budgeted on its own and tree-shaken to what it uses; a page that
 *   wants several elements loads crm-widgets.js once instead).
 * Minified, no source maps, nothing inlined as a style attribute (CSP-safe).
 */
export default defineConfig(({ mode }) => {
  const iife = mode === 'iife';
  const entry = iife ? src('index.ts') : ELEMENT_ENTRIES[mode];
  if (!entry) throw new Error(`unknown widgets build mode "${mode}": iife or one of ${Object.keys(ELEMENT_ENTRIES).join(', ')}`);
  return {
    root: fileURLToPath(new URL('.', import.meta.url)),
    logLevel: 'warn',
    publicDir: false,
    plugins: [squeezeTemplates()],
    // The IIFE has no import.meta; config.ts falls back to document.currentScript there.
    define: iife ? { 'import.meta.url': '""' } : {},
    build: {
      outDir: iife ? 'dist' : 'dist/esm',
      emptyOutDir: false,
      target: 'es2022',
      minify: true,
      sourcemap: false,
      reportCompressedSize: false,
      modulePreload: false,
      // Not lib mode: Vite leaves lib-mode ESM unminified.
      rolldownOptions: {
        input: { [iife ? 'crm-widgets' : mode]: entry },
        preserveEntrySignatures: 'exports-only',
        // Codegen's documents are `new TypedDocumentString(...)`: pure, so unused operations drop out.
        treeshake: { manualPureFunctions: ['TypedDocumentString'] },
        output: iife
          ? { format: 'iife', name: 'ClienteleWidgets', entryFileNames: '[name].js' }
          : { format: 'es', entryFileNames: '[name].js', codeSplitting: false },
      },
    },
  };
});
