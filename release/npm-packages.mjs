// Lays out the npm packages the napi-rs way, from a built bindings-node/:
//   OUT/voicecode/                 the main package: JS entry points, types, build/binding.js,
//                                  and optionalDependencies on every platform package
//   OUT/voicecode-<platform>/      one platform package per PLATFORMS entry: the prebuilt
//                                  build/voicecode.<platform>.node alone, with the os, cpu and
//                                  libc fields that make npm install only the matching one
// build/binding.js (napi's loader) picks by process.platform, process.arch and the C library
// (glibc or musl): ./voicecode.<platform>.node when present, else the package
// voicecode-<platform>; so installing the main package needs no compiler.
//
//   node release/npm-packages.mjs bindings-node OUT linux-x64-gnu,linux-arm64-musl,... LICENSE-MIT LICENSE-APACHE
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

const [source, out, platformList, ...licenses] = process.argv.slice(2)
const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'))
const { name, version } = manifest
// napi-rs's platform names: linux-x64-gnu, linux-arm64-musl, darwin-arm64, win32-x64-msvc, …
const platforms = platformList.split(',').filter(Boolean)
if (platforms.length === 0) throw new Error('no platform named: pass e.g. linux-x64-gnu')

function copy(from, toDir, as = basename(from)) {
  mkdirSync(toDir, { recursive: true })
  copyFileSync(from, join(toDir, as))
}
function writeManifest(dir, fields) {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(fields, null, 2)}\n`)
}
const shared = {
  version,
  license: manifest.license,
  repository: manifest.repository,
  engines: manifest.engines,
}

const main = join(out, name)
const entryFiles = ['index.js', 'index.mjs', 'index.d.ts', 'build/binding.js']
for (const file of entryFiles) copy(join(source, file), dirname(join(main, file)))
copy(join(source, 'README.md'), main)
writeManifest(main, {
  name,
  description: manifest.description,
  ...shared,
  main: manifest.main,
  types: manifest.types,
  exports: manifest.exports,
  files: entryFiles,
  optionalDependencies: Object.fromEntries(platforms.map((p) => [`${name}-${p}`, version])),
})

for (const platform of platforms) {
  const addon = `${manifest.napi.binaryName}.${platform}.node`
  const platformPackage = `${name}-${platform}`
  const native = join(out, platformPackage)
  copy(join(source, 'build', addon), native)
  writeFileSync(
    join(native, 'README.md'),
    `# ${platformPackage}\n\nThe prebuilt native addon of [\`${name}\`](https://www.npmjs.com/package/${name}) ` +
      `for ${platform}. Install \`${name}\`, which depends on it; do not use it directly.\n`,
  )
  const [os, cpu, libc] = platform.split('-')
  writeManifest(native, {
    name: platformPackage,
    description: `The ${platform} native addon of ${name}`,
    ...shared,
    os: [os],
    cpu: [cpu],
    ...(os === 'linux' ? { libc: [libc === 'musl' ? 'musl' : 'glibc'] } : {}),
    main: addon,
    files: [addon],
  })
  for (const license of licenses) copy(license, native)
}
for (const license of licenses) copy(license, main)
console.log(`npm packages: ${name}@${version} and ${platforms.map((p) => `${name}-${p}`).join(', ')} in ${out}`)
