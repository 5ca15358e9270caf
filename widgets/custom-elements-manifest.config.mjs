// @custom-elements-manifest/analyzer config (run with --litelement by widgets/scripts/build.ts).

/** Our elements register through defineElement('crm-x', CrmX) (version-guarded), not customElements.define. */
function defineElementCalls() {
  return {
    name: 'clientele:define-element',
    analyzePhase({ ts, node, moduleDoc, context }) {
      if (node.kind !== ts.SyntaxKind.CallExpression || node.expression.getText() !== 'defineElement') return;
      const [tag, klass] = node.arguments;
      if (!tag || !klass || !ts.isStringLiteral(tag) || !ts.isIdentifier(klass)) return;
      const name = klass.text;
      const imported = context?.imports?.find((i) => i.name === name);
      const module = imported && !imported.isBareModuleSpecifier
        ? new URL(imported.importPath, `file:///${moduleDoc.path}`).pathname.slice(1).replace(/\.js$/, '.ts')
        : moduleDoc.path;
      moduleDoc.exports = [...(moduleDoc.exports ?? []), { kind: 'custom-element-definition', name: tag.text, declaration: { name, module } }];
    },
  };
}

/** Internal reactive state (`_name`, `state: true`) is not public API: keep it out of the manifest. */
function hideInternalState() {
  return {
    name: 'clientele:hide-internal-state',
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules ?? []) {
        for (const decl of mod.declarations ?? []) {
          if (decl.attributes) decl.attributes = decl.attributes.filter((a) => !a.name.startsWith('_'));
          if (decl.members) decl.members = decl.members.filter((m) => !m.name.startsWith('_') && m.privacy !== 'private');
        }
      }
    },
  };
}

export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/gql/**', 'src/index.ts', 'src/**/*.messages.ts', 'src/**/*.styles.ts', 'src/**/channel-icons.ts'],
  outdir: 'dist',
  litelement: true,
  packagejson: false,
  dependencies: false,
  plugins: [defineElementCalls(), hideInternalState()],
};
