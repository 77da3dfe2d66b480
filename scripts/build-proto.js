// Compiles the gRPC schema gatehouse serves into dist/proto/:
//   gatehouse.json     protobufjs JSON of every message and service (loaded at start, no .proto parsing at runtime)
//   descriptors.json   one serialized FileDescriptorProto per .proto file, with dependencies and a symbol index,
//                      for gRPC server reflection
// Sources: Keto's .proto files as shipped in the @ory/keto-grpc-client package (read in place, never copied)
// and the project's own files in proto/ (gRPC health, reflection, Keto's BatchCheck messages, and
// gatehouse's own services under gatehouse/).
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const protobuf = require('protobufjs');
const descriptor = require('protobufjs/ext/descriptor');

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const ketoDir = dirname(require.resolve('@ory/keto-grpc-client/package.json'));
const projectDir = join(repo, 'proto');
const outDir = join(repo, 'dist', 'proto');

const KETO_PACKAGE = 'ory.keto.relation_tuples.v1alpha2';
const BATCH_CHECK_FILE = 'ory/keto/relation_tuples/v1alpha2/batch_check.proto';
const CHECK_SERVICE_FILE = 'ory/keto/relation_tuples/v1alpha2/check_service.proto';

function protoFiles(dir, under) {
  const found = [];
  for (const entry of readdirSync(join(dir, under), { withFileTypes: true })) {
    const rel = under ? `${under}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...protoFiles(dir, rel));
    else if (entry.name.endsWith('.proto')) found.push(rel);
  }
  return found;
}

/** Import name (as written in `import "…"`) → absolute path; google/protobuf/* stay to protobufjs's bundled copies. */
function locate(name) {
  if (name.startsWith('google/protobuf/')) return name;
  for (const dir of [projectDir, ketoDir]) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot find imported proto file ${name}`);
}

function importName(path) {
  if (path.startsWith('google/protobuf/')) return path;
  const base = path.startsWith(projectDir + sep) ? projectDir : ketoDir;
  return relative(base, path).split(sep).join('/');
}

const sources = [
  ...protoFiles(ketoDir, 'ory').map((f) => join(ketoDir, f)),
  ...protoFiles(projectDir, '').map((f) => join(projectDir, f)),
];

function loadRoot(keepCase) {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : locate(target));
  root.loadSync(sources, { keepCase });
  const checkService = root.lookupService(`${KETO_PACKAGE}.CheckService`);
  if (!checkService.methods.BatchCheck) {
    checkService.add(new protobuf.Method('BatchCheck', 'rpc', 'BatchCheckRequest', 'BatchCheckResponse'));
  }
  root.resolveAll();
  return root;
}

/** Every Type, Enum and Service defined at the top of a file (nested types travel with their parent). */
function definitionsOf(root, file) {
  const common = protobuf.common[file];
  if (common) {
    const names = [];
    const walk = (json, prefix) => {
      for (const [name, value] of Object.entries(json.nested ?? {})) {
        if (value.fields || value.values || value.methods) names.push(prefix + name);
        else walk(value, `${prefix}${name}.`);
      }
    };
    walk(common, '');
    return names.map((n) => root.lookup(n));
  }
  const found = [];
  const walk = (ns) => {
    for (const obj of ns.nestedArray) {
      if (obj instanceof protobuf.Namespace && !(obj instanceof protobuf.Type) && !(obj instanceof protobuf.Service)) {
        walk(obj);
      } else if (obj.filename === file) {
        found.push(obj);
      }
    }
  };
  walk(root);
  return found;
}

/** protobufjs writes type references as written in the source; reflection clients expect fully qualified names. */
function qualifyType(type, desc) {
  for (const field of desc.field) {
    const source = type.fields[field.name];
    if (source?.resolvedType) field.typeName = source.resolvedType.fullName;
  }
  for (const nestedDesc of desc.nestedType) {
    const nested = type.nested?.[nestedDesc.name];
    if (nested instanceof protobuf.Type) qualifyType(nested, nestedDesc);
  }
  return desc;
}

function qualifyService(service, desc) {
  for (const method of desc.method) {
    const source = service.methods[method.name].resolve();
    method.inputType = source.resolvedRequestType.fullName;
    method.outputType = source.resolvedResponseType.fullName;
  }
  return desc;
}

function symbolsOf(obj, into, file) {
  const name = obj.fullName.slice(1);
  into[name] = file;
  if (obj instanceof protobuf.Service) for (const m of obj.methodsArray) into[`${name}.${m.name}`] = file;
  if (obj instanceof protobuf.Type) for (const n of obj.nestedArray) symbolsOf(n, into, file);
}

function fileDescriptors(root) {
  const files = [];
  const symbols = {};
  const services = [];
  for (const path of root.files) {
    const name = importName(path);
    const defs = definitionsOf(root, path);
    const pkg = defs.length ? defs[0].parent.fullName.slice(1) : '';
    const imports = path.startsWith('google/protobuf/')
      ? []
      : (protobuf.parse(readFileSync(path, 'utf8'), { keepCase: true }).imports ?? []);
    const dependency = name === CHECK_SERVICE_FILE ? [...imports, BATCH_CHECK_FILE] : imports;
    const proto = descriptor.FileDescriptorProto.create({
      name,
      package: pkg,
      dependency,
      syntax: 'proto3',
      messageType: defs.filter((d) => d instanceof protobuf.Type).map((t) => qualifyType(t, t.toDescriptor('proto3'))),
      enumType: defs.filter((d) => d instanceof protobuf.Enum).map((e) => e.toDescriptor()),
      service: defs.filter((d) => d instanceof protobuf.Service).map((s) => qualifyService(s, s.toDescriptor())),
    });
    for (const d of defs) symbolsOf(d, symbols, name);
    for (const d of defs) if (d instanceof protobuf.Service) services.push(d.fullName.slice(1));
    const bytes = descriptor.FileDescriptorProto.encode(proto).finish();
    files.push({ name, dependency, proto: Buffer.from(bytes).toString('base64') });
  }
  return { files, symbols, services: services.sort() };
}

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'gatehouse.json'), JSON.stringify(loadRoot(false).toJSON()));
writeFileSync(join(outDir, 'descriptors.json'), JSON.stringify(fileDescriptors(loadRoot(true))));
