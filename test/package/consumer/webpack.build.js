// webpack 5 through its Node API (no webpack-cli), with no simdnet-specific settings.
//   node webpack.build.js OUT_DIR [ENTRY]
import webpack from 'webpack';

const out = process.argv[2];
webpack({
  mode: 'production', entry: process.argv[3] ?? './src/app.js', target: 'web', devtool: false,
  output: { path: out, filename: 'main.js', clean: true },
}, (err, stats) => {
  if (err) throw err;
  const info = stats.toJson({ all: false, errors: true, warnings: true });
  for (const w of info.warnings) console.warn('WARNING', w.message);
  for (const e of info.errors) console.error('ERROR', e.message);
  process.exitCode = stats.hasErrors() ? 1 : 0;
});
