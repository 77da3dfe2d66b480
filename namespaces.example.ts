// An example permission model in the Ory Permission Language (a subset of TypeScript).
// gatehouse.example.yml points at this file; edit it while the server runs and the
// new model applies at once. Try, with the server started by `npm start`:
//
//   PUT /admin/relation-tuples {"namespace":"Group","object":"engineering","relation":"members","subject_id":"alice"}
//   PUT /admin/relation-tuples {"namespace":"Folder","object":"handbook","relation":"viewers",
//                               "subject_set":{"namespace":"Group","object":"engineering","relation":"members"}}
//   PUT /admin/relation-tuples {"namespace":"Document","object":"onboarding","relation":"parents",
//                               "subject_set":{"namespace":"Folder","object":"handbook","relation":""}}
//   GET /relation-tuples/check?namespace=Document&object=onboarding&relation=view&subject_id=alice  -> allowed
import { Namespace, SubjectSet, Context } from "@ory/keto-namespace-types";

/** People. Subjects only: a user has no relations of its own. */
class User implements Namespace {}

/** A set of users; a group's members can be granted access as a whole. */
class Group implements Namespace {
  related: {
    members: (User | SubjectSet<Group, "members">)[];
  };
}

/** A folder grants its viewers and owners access to everything inside it. */
class Folder implements Namespace {
  related: {
    parents: Folder[];
    owners: (User | SubjectSet<Group, "members">)[];
    viewers: (User | SubjectSet<Group, "members">)[];
  };

  permits = {
    edit: (ctx: Context): boolean =>
      this.related.owners.includes(ctx.subject) || this.related.parents.traverse((p) => p.permits.edit(ctx)),
    view: (ctx: Context): boolean =>
      this.related.viewers.includes(ctx.subject) ||
      this.permits.edit(ctx) ||
      this.related.parents.traverse((p) => p.permits.view(ctx)),
  };
}

/** A document: owners edit it, viewers read it, and the folders holding it pass their access down. */
class Document implements Namespace {
  related: {
    parents: Folder[];
    owners: (User | SubjectSet<Group, "members">)[];
    viewers: (User | SubjectSet<Group, "members">)[];
  };

  permits = {
    edit: (ctx: Context): boolean =>
      this.related.owners.includes(ctx.subject) || this.related.parents.traverse((p) => p.permits.edit(ctx)),
    view: (ctx: Context): boolean =>
      this.related.viewers.includes(ctx.subject) ||
      this.permits.edit(ctx) ||
      this.related.parents.traverse((p) => p.permits.view(ctx)),
  };
}
