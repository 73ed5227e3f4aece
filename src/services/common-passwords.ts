// The most common passwords of eight or more characters from public breach corpora (lower case).
// A short list keeps the bundle small; it refuses what credential-stuffing lists try first.

export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  `12345678 123456789 1234567890 password password1 password12 password123 password1234 qwertyuiop
  qwerty123 qwerty12 qwerty1234 1q2w3e4r 1q2w3e4r5t 1qaz2wsx 11111111 00000000 88888888 87654321
  12341234 12344321 11223344 abcd1234 abc12345 abcdefgh iloveyou iloveyou1 sunshine princess1
  football baseball football1 welcome1 welcome123 trustno1 superman starwars whatever passw0rd
  p@ssw0rd p@ssword letmein1 letmein123 admin123 administrator changeme changeme1 computer
  michelle jennifer jordan23 basketball charlie1 internet liverpool chelsea1 arsenal1 princess
  dragon12 monkey123 mustang1 shadow12 master12 killer12 asdfghjk asdfghjkl zxcvbnm1 zxcvbnmm
  qazwsxedc q1w2e3r4 q1w2e3r4t5 aa123456 a1234567 a12345678 1234qwer qwer1234 password!
  123123123 123456789a 987654321 999999999 555555555 777777777 12qwaszx zaq12wsx michael1
  samsung1 google123 facebook iloveu123 lovely123 babygirl1 butterfly sunshine1 freedom1
  secret123 hello123 hellohello test1234 testtest access14 mypassword default1 summer2024
  winter2024 spring2024 autumn2024 summer2025 winter2025 summer2026 winter2026 edgeauth`.split(/\s+/),
);
