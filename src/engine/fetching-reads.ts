import { keyName, type ObjectRelation, type Subject, subjectEquals } from '../tuple.js';
import { type NodeReads, type OrderedSets, type TupleSource, UNREAD } from '../reader.js';

/** The reads of one check that may pause for rows: they fetch what was asked for and found unread. */
export interface FetchingNodeReads extends NodeReads {
  /** Reads every row asked for and found unread since the last fetch. */
  fetch(): void | Promise<void>;
}

/** Every row of a key, read before. */
export interface KnownRows {
  readonly subjects: readonly Subject[];
  /** When known: the order a traverse walks the key's subject sets (`OrderedSets.traverse`, over the sets of `subjects` in their order). */
  readonly traverse?: readonly number[];
}

const NOT_ASKED = 0;
const ASKED = 1;
const STORED = 2;
const ABSENT = 3;

/**
 * The reads of one check over a tuple source that answers by strings (a database, or an
 * index that does not serve every namespace yet). Nodes are numbered as the check meets
 * them; every row read is kept for the rest of the check (the subject never changes within
 * a check, so a direct answer is a fact about its key alone). A row not read yet answers
 * UNREAD and is remembered; `fetch` then asks for every such row at once: one call for the
 * direct answers, one for the stored subject sets (in store order and in the order a
 * traverse walks them; a key known beforehand without that order is read again when a
 * traverse walks it).
 */
export class FetchingReads implements FetchingNodeReads {
  /** Set once the source has answered through a Promise. */
  prefetching = false;
  private readonly nodes = new Map<string, number>();
  private readonly keys: ObjectRelation[] = [];
  private readonly directState: number[] = [];
  private readonly sets: (number[] | undefined)[] = [];
  private readonly setsAsked: boolean[] = [];
  /** A key's subject sets in the order a traverse walks them (read with `sets`). */
  private readonly targets: (number[] | undefined)[] = [];
  private wantDirect: number[] = [];
  private wantSets: number[] = [];

  constructor(
    private readonly source: TupleSource,
    private readonly subject: Subject,
    /** Every row of some keys, read before (by `keyName`): their answers need no fetch. */
    private readonly known?: ReadonlyMap<string, KnownRows>,
  ) {}

  setNode(namespace: string, object: string, relation: string): number {
    const name = keyName(namespace, object, relation);
    let node = this.nodes.get(name);
    if (node === undefined) {
      node = this.keys.length;
      this.nodes.set(name, node);
      this.keys.push({ namespace, object, relation });
      this.directState.push(NOT_ASKED);
      this.sets.push(undefined);
      this.setsAsked.push(false);
      this.targets.push(undefined);
      const rows = this.known?.get(name);
      if (rows !== undefined) {
        this.directState[node] = rows.subjects.some((s) => subjectEquals(s, this.subject)) ? STORED : ABSENT;
        const sets = rows.subjects.flatMap((s) => ('set' in s ? [this.setNode(s.set.namespace, s.set.object, s.set.relation)] : []));
        this.sets[node] = sets;
        if (rows.traverse !== undefined) this.targets[node] = rows.traverse.map((at) => sets[at]!);
      }
    }
    return node;
  }

  /** One subject per check: `subject` is ignored. */
  direct(key: number, _subject: number): number {
    const state = this.directState[key]!;
    if (state === STORED) return 1;
    if (state === ABSENT) return 0;
    if (state === NOT_ASKED) {
      this.directState[key] = ASKED;
      this.wantDirect.push(key);
    }
    return UNREAD;
  }

  subjectSetCount(key: number): number {
    const sets = this.sets[key];
    if (sets !== undefined) return sets.length;
    if (!this.setsAsked[key]) {
      this.setsAsked[key] = true;
      this.wantSets.push(key);
    }
    return UNREAD;
  }

  subjectSetAt(key: number, i: number): number {
    return this.sets[key]![i]!;
  }

  traverseCount(key: number): number {
    const targets = this.targets[key];
    if (targets !== undefined) return targets.length;
    if (!this.setsAsked[key]) {
      this.setsAsked[key] = true;
      this.wantSets.push(key);
    }
    return UNREAD;
  }

  traverseAt(key: number, i: number): number {
    return this.targets[key]![i]!;
  }

  namespaceOf(node: number): string {
    return this.keys[node]!.namespace;
  }

  objectOf(node: number): string {
    return this.keys[node]!.object;
  }

  relationOf(node: number): string {
    return this.keys[node]!.relation;
  }

  fetch(): void | Promise<void> {
    const direct = this.wantDirect;
    const sets = this.wantSets;
    this.wantDirect = [];
    this.wantSets = [];
    const found = direct.length === 0 ? [] : this.source.hasSubject(direct.map((k) => this.keys[k]!), this.subject);
    const stored = sets.length === 0 ? [] : this.source.orderedSubjectSets(sets.map((k) => this.keys[k]!));
    const keep = ([f, s]: [boolean[], OrderedSets[]]): void => {
      direct.forEach((k, i) => (this.directState[k] = f[i] === true ? STORED : ABSENT));
      sets.forEach((k, i) => {
        const nodes = (s[i]?.sets ?? []).map((set) => this.setNode(set.namespace, set.object, set.relation));
        this.sets[k] = nodes;
        this.targets[k] = (s[i]?.traverse ?? []).map((at) => nodes[at]!);
      });
    };
    if (!(found instanceof Promise) && !(stored instanceof Promise)) return keep([found, stored]);
    this.prefetching = true;
    return Promise.all([found, stored]).then(keep);
  }
}
