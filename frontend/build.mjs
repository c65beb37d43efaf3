// build.mjs bundles the dashboard sources in src/ into dist/ with esbuild.
//
// Output (all names fixed, no hashes, no timestamps, no source maps, so two
// builds of the same sources and the same package-lock.json are byte-identical;
// frontend/dist_test.go checks the committed dist against a fresh build):
//   dist/index.html              src/index.html as is (holds <!--WANGGE_CONFIG-->)
//   dist/app.js                  the app, ES module, minified
//   dist/app.css                 maplibre-gl.css + src/style.css
//   dist/maplibre-gl-worker.js   MapLibre's module worker, copied from the package
//
// Usage: node build.mjs [outdir]   (outdir defaults to ./dist beside this file)
import * as esbuild from 'esbuild';
import { mkdir, rm, copyFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, 'dist'));

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

await esbuild.build({
  absWorkingDir: here,
  entryPoints: { app: 'src/app.js' },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
  loader: { '.svg': 'dataurl' },
});

await copyFile(join(here, 'src/index.html'), join(out, 'index.html'));
await copyFile(
  join(here, 'node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs'),
  join(out, 'maplibre-gl-worker.js'),
);

const files = (await readdir(out)).sort();
console.log(`built ${files.join(', ')} into ${out}`);
