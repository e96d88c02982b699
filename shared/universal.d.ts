// The few globals that every runtime of Ferry has (browsers, Node, Electron's renderer), declared for
// shared/, whose tsconfig has neither the DOM nor Node types: shared/ code may use these and nothing
// else that a runtime provides (layer rule, house style #1). Kept to the members shared/ uses.

/** WHATWG URL (browsers; Node's global URL). */
declare class URL {
  constructor(url: string, base?: string);
  readonly hostname: string;
  readonly host: string;
  readonly origin: string;
  readonly protocol: string;
  readonly pathname: string;
  readonly search: string;
  readonly username: string;
  readonly password: string;
}

/** WHATWG Encoding (browsers; Node's global TextEncoder/TextDecoder). */
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string);
  decode(input?: Uint8Array): string;
}

/** WHATWG URLSearchParams (browsers; Node's global URLSearchParams). */
declare class URLSearchParams {
  constructor(init?: string | readonly (readonly [string, string])[]);
  toString(): string;
}
