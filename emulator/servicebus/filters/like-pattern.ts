/**
 * LIKE patterns: `%` is any run of characters, `_` any one character, and the ESCAPE character makes the character
 * after it literal (`'ABC\%' ESCAPE '\'` matches "ABC%"). Everything else is literal, case-sensitive, and the pattern
 * must match the whole string. Characters are UTF-16 code units, as in .NET.
 */

export class LikePatternError extends Error {}

export function likePatternToRegExp(pattern: string, escape?: string): RegExp {
  if (escape !== undefined && escape.length !== 1)
    throw new LikePatternError(`The ESCAPE argument of LIKE must be a single character; got '${escape}'`);
  let source = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === escape) {
      if (i + 1 >= pattern.length)
        throw new LikePatternError(`The LIKE pattern '${pattern}' ends with its escape character '${escape}'`);
      source += escapeRegExp(pattern[++i]!);
    } else if (c === "%") source += "[\\s\\S]*";
    else if (c === "_") source += "[\\s\\S]";
    else source += escapeRegExp(c);
  }
  return new RegExp(source + "$");
}

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/** Patterns that arrive at run time (from properties) are compiled once per distinct pattern, up to a bound. */
export class LikePatternCache {
  private readonly cache = new Map<string, RegExp>();
  constructor(private readonly limit = 64) {}

  get(pattern: string, escape?: string): RegExp {
    const key = `${escape ?? ""}\u0000${pattern}`;
    let re = this.cache.get(key);
    if (!re) {
      re = likePatternToRegExp(pattern, escape);
      if (this.cache.size >= this.limit) this.cache.clear();
      this.cache.set(key, re);
    }
    return re;
  }
}
