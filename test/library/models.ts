/** The model and tuples the library tests ask about: users in nested groups, documents viewable by groups. */
export const DOCUMENTS_OPL = `import { Namespace, Context } from "@ory/keto-namespace-types"

class User implements Namespace {}

class Group implements Namespace {
  related: { member: (User | SubjectSet<Group, "member">)[] }
}

class Doc implements Namespace {
  related: {
    owner: User[]
    viewer: SubjectSet<Group, "member">[]
  }
  permits = {
    view: (ctx: Context): boolean => this.related.owner.includes(ctx.subject) || this.related.viewer.includes(ctx.subject),
  }
}
`;

export const DOCUMENT_TUPLES = [
  'Group:engineering#member@User:alice',
  'Group:staff#member@Group:engineering#member',
  'Doc:plan#viewer@Group:staff#member',
  'Doc:memo#owner@User:bob',
];
