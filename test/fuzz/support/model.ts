import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The OPL model every fuzz server runs: a few namespaces with relations, permissions and traversal. */
export const FUZZ_OPL = `import { Namespace, SubjectSet, Context } from "@ory/keto-namespace-types"

class User implements Namespace {}

class Group implements Namespace {
  related: {
    members: (User | SubjectSet<Group, "members">)[]
  }
}

class Folder implements Namespace {
  related: {
    viewers: (User | SubjectSet<Group, "members">)[]
    parents: Folder[]
  }
  permits = {
    view: (ctx: Context): boolean =>
      this.related.viewers.includes(ctx.subject) ||
      this.related.parents.traverse((p) => p.permits.view(ctx)),
    edit: (ctx: Context): boolean => this.permits.view(ctx) && !this.related.parents.includes(ctx.subject),
  }
}

class Doc implements Namespace {
  related: {
    owners: User[]
    viewers: (User | SubjectSet<Group, "members">)[]
    parents: Folder[]
  }
  permits = {
    view: (ctx: Context): boolean =>
      this.related.owners.includes(ctx.subject) ||
      this.related.viewers.includes(ctx.subject) ||
      this.related.parents.traverse((p) => p.permits.view(ctx)),
  }
}
`;

export const NAMESPACES = ['User', 'Group', 'Folder', 'Doc'] as const;
export const RELATIONS = ['members', 'viewers', 'parents', 'owners', 'view'] as const;

/** Writes the model to a temporary file; returns the config `namespaces` value and a cleanup. */
export function oplNamespacesConfig(): { namespaces: { location: string }; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-fuzz-'));
  const file = join(dir, 'namespaces.keto.ts');
  writeFileSync(file, FUZZ_OPL);
  return { namespaces: { location: pathToFileURL(file).href }, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
