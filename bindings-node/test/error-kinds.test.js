'use strict'
// index.d.ts's `ErrorCode` is written by hand (src/api.d.ts): it must name the core's error
// kinds exactly, as the addon reports them from voicecode::ErrorKind::ALL, or TypeScript users
// get a union that lets a real `e.code` through unhandled or names a kind that never comes.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const ts = require('typescript')
const native = require('../build/binding.js')

/** The string literals of a type alias's union in a .d.ts file, read by the TypeScript parser. */
function unionMembers(file, alias) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest)
  const declaration = source.statements.find((s) => ts.isTypeAliasDeclaration(s) && s.name.text === alias)
  assert.ok(declaration, `${file} declares type ${alias}`)
  assert.ok(ts.isUnionTypeNode(declaration.type), `${alias} is a union`)
  return declaration.type.types.map((member) => {
    assert.ok(ts.isLiteralTypeNode(member) && ts.isStringLiteral(member.literal), `${alias} has only strings`)
    return member.literal.text
  })
}

test("index.d.ts's ErrorCode names every core error kind once, and nothing else", () => {
  const kinds = native.__errorKinds()
  assert.equal(new Set(kinds).size, kinds.length)
  assert.ok(kinds.includes('invalid_input'), `the addon's list is the core's: ${kinds}`)
  const declared = unionMembers(path.join(__dirname, '..', 'index.d.ts'), 'ErrorCode')
  // Sorted lists, not sets: a kind written twice must fail too.
  assert.deepEqual([...declared].sort(), [...kinds].sort())
})
