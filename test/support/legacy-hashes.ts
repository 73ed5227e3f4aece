// Published test vectors for the imported-hash formats, each beside the project it comes from, and
// a user row written straight into D1 with such a hash, the way an import leaves it.
import { env } from "cloudflare:workers";
import { decodeBase64 } from "../../src/crypto/encoding";
import type { FirebaseScryptParams } from "../../src/crypto/legacy-hashes";

export interface Vector {
  password: string;
  stored: string;
}

// OpenBSD's bcrypt regress vectors, as carried by jBCrypt's TestBCrypt.java and py-bcrypt's tests.
export const BCRYPT: Vector[] = [
  { password: "", stored: "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s." },
  { password: "a", stored: "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe" },
  { password: "abc", stored: "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i" },
  { password: "abcdefghijklmnopqrstuvwxyz", stored: "$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC" },
  // OpenBSD regress (lib/libc/crypt): the $2b$ prefix.
  { password: "U*U", stored: "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW" },
  { password: "password", stored: "$2b$06$abcdefghijklmnopqrstuuNBpXtlux7FnXJE0fnrtkSXNhdOGmWHu" },
  // The same OpenBSD vector under PHP/crypt_blowfish's $2y$, which that library defines as $2b$.
  { password: "U*U", stored: "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW" },
];
/** jBCrypt's cost-10 and cost-12 vectors: for the CPU figures only. */
export const BCRYPT_10: Vector = {
  password: "abc",
  stored: "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi",
};
export const BCRYPT_12: Vector = {
  password: "a",
  stored: "$2a$12$8NJH3LsPrANStV6XtBakCez0cKHXVxmvxIlcz785vxAIZrihHZpeS",
};

// Django's tests/auth_tests/test_hashers.py, test_pbkdf2 ("lètmein", salt "seasalt") across
// releases, each at that release's default count: 1.8 (20,000), 2.0 (100,000: WebCrypto's cap
// exactly), 5.2 (1,000,000) and 6.0 (1,200,000: our bound exactly), as the djangohashers crate and
// libpass carry them line by line from Django's file.
export const DJANGO: Vector[] = [
  { password: "lètmein", stored: "pbkdf2_sha256$20000$seasalt$oBSd886ysm3AqYun62DOdin8YcfbU1z9cksZSuLP9r0=" },
  { password: "lètmein", stored: "pbkdf2_sha256$100000$seasalt$BNZ6eyaNc8qFTJPjrAq99hSYb73EgAdytAtdBg2Sdcc=" },
];
export const DJANGO_1M: Vector = {
  password: "lètmein",
  stored: "pbkdf2_sha256$1000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps=",
};
export const DJANGO_1_2M = "pbkdf2_sha256$1200000$seasalt$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQdBqE=";
// Django's test_argon2: old argon2i hashes, with and without the version field (password "secret").
export const DJANGO_ARGON2: Vector[] = [
  { password: "secret", stored: "argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q" },
  {
    password: "secret",
    stored:
      "argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg",
  },
];
/** Django's test_argon2_version_upgrade hash: m = 100 MiB, above our bound. */
export const DJANGO_ARGON2_100MIB = "argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw";

// passlib's tests (test_handlers_pbkdf2.py, pbkdf2_sha256_test.known_correct_hashes).
export const PASSLIB: Vector[] = [
  {
    password: "password",
    stored: "$pbkdf2-sha256$1212$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ",
  },
  // UPASS_WAV from passlib's test_handlers.py.
  {
    password: "\u0399\u03c9\u03b1\u03bd\u03bd\u03b7\u03c2",
    stored: "$pbkdf2-sha256$1212$3SABFJGDtyhrQMVt1uABPw$WyaUoqCLgvz97s523nF4iuOqZNbp5Nt8do/cuaa7AiI",
  },
];

// werkzeug's tests/test_security.py test_pbkdf2 (PBKDF2-HMAC-SHA256 vectors, password "password",
// salt "salt") in werkzeug's own string form; and RFC 7914 §12's scrypt vectors in werkzeug's
// `scrypt:n:r:p` form (hashlib.scrypt, 64-byte keys, as werkzeug calls it).
export const WERKZEUG: Vector[] = [
  {
    password: "password",
    stored: "pbkdf2:sha256:1$salt$120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
  },
  {
    password: "password",
    stored: "pbkdf2:sha256:2$salt$ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43",
  },
  {
    password: "password",
    stored:
      "scrypt:1024:8:16$NaCl$fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
  },
  {
    password: "pleaseletmein",
    stored:
      "scrypt:16384:8:1$SodiumChloride$7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887",
  },
];
/** werkzeug's `pbkdf2:sha512` form (no published vector: the key is node:crypto's pbkdf2Sync). */
export const WERKZEUG_SHA512: Vector = {
  password: "password",
  stored:
    "pbkdf2:sha512:1000$salt$afe6c5530785b6cc6b1c6453384731bd5ee432ee549fd42fb6695779ad8a1c5bf59de69c48f774efc4007d5298f9033c0241d5ab69305e7b64eceeb8d834cfec",
};
/** RFC 7914's N = 2^20, r = 8 vector: N·r·p = 2^23, above production's cap. */
export const WERKZEUG_SCRYPT_OVER_CAP =
  "scrypt:1048576:8:1$SodiumChloride$2101cb9b6a511aaeaddbbe09cf70f881ec568d574a2ffd4dabe5ee9820adaa478e56fd8f4ba5d09ffa1c6d927c40f4c337304049e8a952fbcbf45c6fa77a41a4";

// The argon2 reference implementation's src/test.c (phc-winner-argon2), password "password",
// salt "somesalt".
export const ARGON2ID: Vector[] = [
  {
    password: "password",
    stored: "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
  },
  {
    password: "password",
    stored: "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
  },
];
/** test.c's 64 MiB vector (the largest we accept): for the CPU figure. */
export const ARGON2ID_64MIB: Vector = {
  password: "password",
  stored: "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
};
/** test.c's 256 MiB vector: refused. */
export const ARGON2ID_256MIB =
  "$argon2id$v=19$m=262144,t=2,p=1$c29tZXNhbHQ$eP4eyR+zqlZX1y5xCFTkw9m5GYx0L5YWwvCFvtlbLow";

// Better Auth publishes no fixed vector (its tests hash random salts): these were made with
// @noble/hashes scryptAsync called exactly as better-auth's src/crypto/password.ts calls it, and
// cross-checked with node:crypto. The second password has a ligature NFKC turns into "fi".
export const BETTER_AUTH: Vector[] = [
  {
    password: "correct horse battery",
    stored:
      "3f1c2a9b8e7d6c5b4a39281706f5e4d3:e468a8e47f8b7f5a060b015c87988862fe66d44d1146a3410612c4894b0753248fc931107e384e5794fab2132624f68c1d4c874bf8648455eb695385e00a02ed",
  },
  {
    password: "\ufb01nest passphrase",
    stored:
      "0a1b2c3d4e5f60718293a4b5c6d7e8f9:7d8e9b26aaf909b4dd78191ed0d6724537c6a5ed6b36289716837cf7a39d77f4c2bc48ada8c65562d4c4aa67427b7871899a9b3773485d02da70692cb8291462",
  },
];

// firebase/scrypt's README: the sample project parameters and the exported account user1@test.com.
export const FIREBASE_ENV = {
  FIREBASE_SCRYPT_SIGNER_KEY:
    "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==",
  FIREBASE_SCRYPT_SALT_SEPARATOR: "Bw==",
  FIREBASE_SCRYPT_ROUNDS: "8",
  FIREBASE_SCRYPT_MEM_COST: "14",
};
export const FIREBASE_PARAMS: FirebaseScryptParams = {
  signerKey: decodeBase64(FIREBASE_ENV.FIREBASE_SCRYPT_SIGNER_KEY) as Uint8Array,
  saltSeparator: decodeBase64(FIREBASE_ENV.FIREBASE_SCRYPT_SALT_SEPARATOR) as Uint8Array,
  rounds: 8,
  memCost: 14,
};
export const FIREBASE: Vector = {
  password: "user1password",
  stored:
    "$firebase-scrypt$42xEC+ixf3L2lw==$lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==",
};

/** A verified account whose password_hash is `stored`, as an import writes it. Returns its id and email. */
export async function insertImportedUser(stored: string | null): Promise<{ id: string; email: string }> {
  const id = crypto.randomUUID();
  const email = `imported-${id.slice(0, 12)}@example.com`;
  await env.DB.prepare(
    "INSERT INTO users (id, email, email_verified, password_hash, created_at, updated_at) VALUES (?, ?, 1, ?, 1, 1)",
  )
    .bind(id, email, stored)
    .run();
  return { id, email };
}

export async function storedHashOf(id: string): Promise<string | null> {
  const row = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?")
    .bind(id)
    .first<{ password_hash: string | null }>();
  return row?.password_hash ?? null;
}

/** Milliseconds `work` takes, and its result. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}
