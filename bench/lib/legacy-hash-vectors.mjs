// The stored hashes the first-login scenario imports, one per format: published vectors copied from
// test/support/legacy-hashes.ts (where their sources are named), and, for parameter sets no project
// publishes a vector at, strings derived here from a published test's own inputs with node:crypto or
// @noble/hashes (the same libraries the Worker verifies with). Ours is made at wrangler.toml's setting.
import { pbkdf2Sync, randomBytes, scryptSync } from "node:crypto";
import { argon2id } from "@noble/hashes/argon2.js";

const base64NoPadding = (bytes) => Buffer.from(bytes).toString("base64").replace(/=+$/, "");

/** firebase/scrypt's README sample project (test/support/legacy-hashes.ts FIREBASE_ENV): not a secret. */
export const FIREBASE_VARS = {
  FIREBASE_SCRYPT_SIGNER_KEY:
    "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==",
  FIREBASE_SCRYPT_SALT_SEPARATOR: "Bw==",
  FIREBASE_SCRYPT_ROUNDS: "8",
  FIREBASE_SCRYPT_MEM_COST: "14",
};

/** Our own PHC string at `settings` (`ln=15,r=8,p=3`), as src/crypto/password-hash.ts writes it. */
export function ourScryptPhc(password, settings) {
  const match = /^ln=(\d+),r=(\d+),p=(\d+)$/.exec(settings);
  if (!match) throw new Error(`unreadable scrypt settings: ${settings}`);
  const [N, r, p] = [2 ** Number(match[1]), Number(match[2]), Number(match[3])];
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize("NFKC"), salt, 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  return `$scrypt$${settings}$${base64NoPadding(salt)}$${base64NoPadding(key)}`;
}

/** Django's test_pbkdf2 inputs ("lètmein", salt "seasalt") at Django 4.2's default count. */
function djangoPbkdf2(iterations) {
  const key = pbkdf2Sync("lètmein", "seasalt", iterations, 32, "sha256");
  return { password: "lètmein", stored: `pbkdf2_sha256$${iterations}$seasalt$${key.toString("base64")}` };
}

/** The argon2 reference test.c's inputs ("password", salt "somesalt") at OWASP's 19 MiB, t=2, p=1. */
function argon2id19MiB() {
  const encode = (text) => new TextEncoder().encode(text);
  const key = argon2id(encode("password"), encode("somesalt"), { m: 19456, t: 2, p: 1, dkLen: 32 });
  return {
    password: "password",
    stored: `$argon2id$v=19$m=19456,t=2,p=1$${base64NoPadding(encode("somesalt"))}$${base64NoPadding(key)}`,
  };
}

/** werkzeug's generate_password_hash default, `scrypt:32768:8:1` (hashlib.scrypt, 64-byte key). */
function werkzeugScryptDefault() {
  const password = "pleaseletmein";
  const salt = randomBytes(8).toString("hex");
  const key = scryptSync(password, salt, 64, { N: 32768, r: 8, p: 1, maxmem: 256 * 32768 * 8 + 1024 * 1024 });
  return { password, stored: `scrypt:32768:8:1$${salt}$${key.toString("hex")}` };
}

/** Every format the first-login scenario measures, in the order it reports them. */
export function firstLoginFormats(ourSettings) {
  const ourPassword = `Bench-${randomBytes(6).toString("base64url")}-ours`;
  return [
    {
      key: "ours",
      label: `edge-auth scrypt ${ourSettings}`,
      password: ourPassword,
      stored: ourScryptPhc(ourPassword, ourSettings),
    },
    // jBCrypt's TestBCrypt.java cost-10 and cost-12 vectors.
    {
      key: "bcrypt_10",
      label: "bcrypt cost 10",
      password: "abc",
      stored: "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi",
    },
    {
      key: "bcrypt_12",
      label: "bcrypt cost 12",
      password: "a",
      stored: "$2a$12$8NJH3LsPrANStV6XtBakCez0cKHXVxmvxIlcz785vxAIZrihHZpeS",
    },
    { key: "django_600k", label: "Django PBKDF2 600,000", ...djangoPbkdf2(600_000) },
    // Django 5.2's test_pbkdf2 vector.
    {
      key: "django_1m",
      label: "Django PBKDF2 1,000,000",
      password: "lètmein",
      stored: "pbkdf2_sha256$1000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps=",
    },
    { key: "argon2id_19mib", label: "argon2id 19 MiB t=2", ...argon2id19MiB() },
    // The argon2 reference implementation's src/test.c 64 MiB vector (the largest we accept).
    {
      key: "argon2id_64mib",
      label: "argon2id 64 MiB t=2",
      password: "password",
      stored: "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
    },
    { key: "werkzeug_scrypt", label: "werkzeug scrypt 32768:8:1", ...werkzeugScryptDefault() },
    // Made with @noble/hashes as better-auth's src/crypto/password.ts calls it (N=16384, r=16, p=1, 64 B).
    {
      key: "better_auth",
      label: "Better Auth scrypt",
      password: "correct horse battery",
      stored:
        "3f1c2a9b8e7d6c5b4a39281706f5e4d3:e468a8e47f8b7f5a060b015c87988862fe66d44d1146a3410612c4894b0753248fc931107e384e5794fab2132624f68c1d4c874bf8648455eb695385e00a02ed",
    },
    // firebase/scrypt's README: the exported account user1@test.com (rounds 8, mem cost 14).
    {
      key: "firebase",
      label: "Firebase scrypt (rounds 8, mem cost 14)",
      password: "user1password",
      stored:
        "$firebase-scrypt$42xEC+ixf3L2lw==$lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==",
    },
  ];
}
