/**
 * Builds CKEditor 5 into static/django_ckeditor_5/dist/, where it overrides the bundle django-ckeditor-5 ships
 * (47.5.0, with published XSS advisories). The entry is the package's own app.js (it wires the widget and sets
 * the GPL licence key); its `./src/ckeditor` import is pointed at our editor.js.
 *
 * Usage: node ckeditor/build.mjs /path/to/site-packages/django_ckeditor_5/static/django_ckeditor_5/app.js
 */
import { copyFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const appJs = process.argv[2];
if (!appJs) {
    console.error('usage: node ckeditor/build.mjs <django_ckeditor_5 app.js>');
    process.exit(2);
}
const out = join(root, 'static', 'django_ckeditor_5', 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'translations'), { recursive: true });

const ourEditor = {
    name: 'renda-editor',
    setup(build) {
        build.onResolve({ filter: /^\.\/src\/ckeditor$/ }, () => ({ path: join(here, 'editor.js') }));
    },
};

await esbuild.build({
    entryPoints: [appJs],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    outfile: join(out, 'bundle.js'),
    nodePaths: [join(root, 'node_modules')],
    plugins: [ourEditor],
    legalComments: 'linked',
    logLevel: 'warning',
});
renameSync(join(out, 'bundle.css'), join(out, 'styles.css'));
copyFileSync(
    join(root, 'node_modules', 'ckeditor5', 'dist', 'translations', 'zh-cn.umd.js'),
    join(out, 'translations', 'zh-cn.js'),
);
console.log(`CKEditor built into ${out}`);
