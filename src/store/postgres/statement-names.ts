/**
 * PostgreSQL's names for statements prepared once per connection, by SQL text (`$n`
 * placeholders): a text's name stays the same for the life of the process. At most `max`
 * texts are named, so that a text built from values cannot grow every connection's
 * prepared statements without bound; past them, `nameOf` gives undefined (run unnamed).
 */
export function statementNames(prefix: string, max: number): (text: string) => string | undefined {
  const names = new Map<string, string>();
  return (text) => {
    let name = names.get(text);
    if (name === undefined && names.size < max) names.set(text, (name = `${prefix}_${names.size + 1}`));
    return name;
  };
}
