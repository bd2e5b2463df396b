"""Secret detection by name, token shape and entropy, with its allow-list."""

from __future__ import annotations

import re

import pytest

from prodpolicy.api import normalize
from prodpolicy.secrets import (
    _ANY_TOKEN,
    _token_present,
    classify,
    find_tokens,
    is_credential_name,
    mask_texts,
    mask_tree,
    redact,
    redact_text,
    scan_tokens,
    texts_to_mask,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DB_PASSWORD", True),
        ("dbPassword", True),
        ("NPM_TOKEN", True),
        ("API_KEY", True),
        ("STRIPE_SECRET_KEY", True),
        ("KMS_KEY_ALIAS", False),
        ("PASSWORD_MIN_LENGTH", False),
        ("DB_PASSWORD_FILE", False),
        ("AUTH_MODE", False),
        ("PUBLIC_KEY", False),
        ("GPG_KEY", False),
        ("PWD", False),
        ("KEY", False),
        ("ＰＡＳＳＷＯＲＤ", True),
        ("DB_ＴＯＫＥＮ", True),
        ("ＰＡＳＳＷＯＲＤ_ＦＩＬＥ", False),
        ("ÉCOLE_PASSWORD", True),
    ],
)
def test_credential_names(name, expected):
    assert is_credential_name(name) is expected


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("DB_PASSWORD", "hunter2hunter2", "key-name"),
        ("DATABASE_URL", "postgres://app:s3cret@db/app", "token:url-password"),
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", "token:aws-access-key"),
        ("GH", "ghp_" + "a" * 36, "token:github-token"),
        ("SESSION", "aZ9xQ2mP8vL4nR7tK1wE5yU3", "entropy"),
        ("DB_PASSWORD", "${DB_PASSWORD}", None),
        ("DB_PASSWORD_FILE", "/run/secrets/db", None),
        ("DATABASE_URL", "postgres://app:${PW}@db/app", None),
        ("PASSWORD_MIN_LENGTH", "12", None),
        ("IMAGE_DIGEST", "sha256:" + "c" * 64, None),
        ("TOKEN", "none", None),
    ],
)
def test_classify(name, value, reason):
    match = classify(name, value)
    assert (match.reason if match else None) == reason


def test_redact_keeps_only_a_short_prefix():
    assert redact("hunter2hunter2") == "hun****"
    assert redact("abc") == "****"


def test_redact_text_masks_token_shapes_and_known_values():
    text = redact_text("curl -H 'x: ghp_" + "b" * 36 + "' --password hunter2hunter2", {"hunter2hunter2"})
    assert "b" * 36 not in text
    assert "hunter2hunter2" not in text


def test_find_tokens():
    key = "AKIAIOSFODNN7EXAMPLE"
    assert find_tokens(f"ENV AWS_ACCESS_KEY_ID={key}\n") == [key]


def test_redact_leaves_a_mask_as_it_is():
    assert redact("tok_****") == "tok_****"
    assert redact("****") == "****"


def test_redact_text_masks_a_known_value_once():
    # The mask left for the known value still has the shape NAME=value, which must not mask it again.
    assert redact_text("API_TOKEN=tok_abcdef123456", {"tok_abcdef123456"}) == "API_TOKEN=tok_****"


@pytest.mark.parametrize(
    ("text", "secrets"),
    [
        ("API_TOKEN=tok_abcdef123456", frozenset()),
        ("API_TOKEN=tok_abcdef123456", frozenset({"tok_abcdef123456"})),
        ("ENV GITHUB_TOKEN=ghp_" + "a1" * 18, frozenset()),
        ("curl -u admin --password s3cr3tpassw0rd https://user:pa55word@example.com/x", frozenset()),
        ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123", frozenset()),
        ("DB_PASSWORD=hunter2hunter2 DB_HOST=db", frozenset({"hunter2hunter2"})),
    ],
)
def test_redact_text_is_idempotent(text, secrets):
    once = redact_text(text, secrets)

    assert redact_text(once, secrets) == once
    assert redact_text(once) == once


@pytest.mark.parametrize(
    "value",
    [
        "PLAINTEXT://127.0.0.1:29092,INTERNAL://kafka:9093,EXTERNAL://kafka:9092",
        "s3://profiles?region=us-east-1&endpoint=storage:8333&forcePathStyle=true",
        "Host=db;Port=5432;Database=Shop2;Pooling=true",
    ],
)
def test_urls_are_not_key_material(value):
    assert classify("KAFKA_ADVERTISED_LISTENERS", value) is None


def test_generated_key_found_by_entropy():
    match = classify("CLUSTER_SEED", "q8Vf3kLr9ZpX2mNw7YtB4cHs6JdA1gE0")
    assert (match.reason, match.redacted) == ("entropy", "q8Vf****")


MASK_TEXTS = [
    "restart: unless-stopped",
    "ghp_" + "a" * 36,
    "--password=hunter2hunter2",
    "image: nginx",
    "token AKIA" + "B" * 16,
    "",
    "postgres://app:s3cretpass@db/app",
    "plain text at the end",
]


def test_texts_to_mask_finds_every_token_text() -> None:
    flagged = texts_to_mask(MASK_TEXTS)

    assert flagged == [1, 2, 4, 6]
    assert flagged == [number for number, text in enumerate(MASK_TEXTS) if scan_tokens(text)]


def test_texts_to_mask_token_at_text_end() -> None:
    # The option's value ends at the end of its text: the newline that joins the texts must end it too.
    texts = ["--password=hunter2hunter2", "next"]

    assert texts_to_mask(texts) == [0]
    assert texts_to_mask(["next", "x --passwd 'abcdefgh'"]) == [1]


def test_texts_to_mask_known_secret_values() -> None:
    key = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----"
    texts = ["value letmein-now here", "nothing", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "letmein"]

    assert texts_to_mask(texts, {"letmein-now"}) == [0]
    assert texts_to_mask(texts, {key}) == [2]
    assert texts_to_mask(texts, set()) == []
    assert texts_to_mask([], {"letmein-now"}) == []


def test_texts_to_mask_also_pattern() -> None:
    short = re.compile(r"(?<![\w])(?:pw1)(?![\w])")
    texts = ["no secret", "login pw1 now", "apw1b"]

    assert texts_to_mask(texts, set(), short) == [1]
    assert texts_to_mask(texts, set()) == []


def test_mask_texts_masks_only_secrets() -> None:
    texts = ["echo hello", "--password=hunter2hunter2", "use letmein-now", "plain"]

    masked = mask_texts(texts, {"letmein-now"})

    assert masked == ["echo hello", "--password=hun****", "use le****", "plain"]
    assert texts == ["echo hello", "--password=hunter2hunter2", "use letmein-now", "plain"]
    clean = ["echo hello", "plain"]
    assert mask_texts(clean, {"letmein-now"}) is clean


def test_mask_tree_copies_only_when_masking() -> None:
    shared = ["sh", "-c"]
    data = {"shell": shared, "env": {"TOKEN": "ghp_" + "a" * 36, "MODE": "prod"}, "count": 3}

    masked = mask_tree(data, set())

    assert masked == {"shell": ["sh", "-c"], "env": {"TOKEN": "ghp_****", "MODE": "prod"}, "count": 3}
    assert masked["shell"] is not shared
    assert data["env"]["TOKEN"] == "ghp_" + "a" * 36
    clean = {"shell": shared, "count": 3}
    assert mask_tree(clean, {"letmein-now"}) is clean


def test_mask_tree_custom_mask_and_keys_kept() -> None:
    data = {"hunter2hunter2": ["value hunter2hunter2", "other"]}

    masked = mask_tree(data, {"hunter2hunter2"}, mask=str.upper)

    assert masked == {"hunter2hunter2": ["VALUE HUNTER2HUNTER2", "other"]}


@pytest.mark.parametrize("text", [*MASK_TEXTS, "x" * 300, "a=b c=d", "Authorization: Bearer abcdefghijklmnop", "é ghp_" + "Z" * 36])
def test_token_presence_agrees_with_scan(text: str) -> None:
    # The presence test is a shortcut: where the full scan finds a token, it must find one too.
    if scan_tokens(text):
        assert _token_present(text)
    assert bool(list(_ANY_TOKEN.finditer(text))) == _token_present(text)


def test_token_next_to_lone_surrogate_is_masked() -> None:
    # Image JSON may hold lone surrogates, which google-re2 cannot encode.
    text = "API_TOKEN=ghp_" + "aB3dE5fG7h" * 3 + "J9kL1m" + "\ud800 rest"

    assert [token.kind for token in scan_tokens(text)] == ["github-token"]
    assert redact_text(text) == "API_TOKEN=ghp_**** rest"


@pytest.mark.parametrize(
    ("text", "masked", "kinds"),
    [
        ("curl -u admin:hunter2secret https://example.com/f", "curl -u admin:hun**** https://example.com/f", ["curl-password"]),
        ("curl -fsSL --user=admin:pw12 https://x", "curl -fsSL --user=admin:p**** https://x", ["curl-password"]),
        ("sshpass -p 'S3cretPassw0rd' ssh user@host true", "sshpass -p 'S3c**** ssh user@host true", ["sshpass-password"]),
        ("docker login -u bot -p Sup3rSecretPw registry", "docker login -u bot -p Sup**** registry", ["registry-password"]),
        ("helm registry login -u x -p abc123 reg", "helm registry login -u x -p a**** reg", ["registry-password"]),
        ("mysql -uroot -pMyDbPassw0rd -e 'select 1'", "mysql -uroot -pMyD**** -e 'select 1'", ["mysql-password"]),
        ("htpasswd -b -c /etc/htpasswd admin Adm1nPassword", "htpasswd -b -c /etc/htpasswd admin Adm****", ["htpasswd-password"]),
        ("htpasswd -nb admin s3cr3t && nginx", "htpasswd -nb admin s**** && nginx", ["htpasswd-password"]),
        (
            "git clone https://" + "a1b2c3d4e5" * 5 + "@dev.azure.com/org/r.git",
            "git clone https://a1b2****@dev.azure.com/org/r.git",
            ["url-token"],
        ),
        ("curl -fsSLu deploy:ComboPw1234 https://x", "curl -fsSLu deploy:Co**** https://x", ["curl-password"]),
        ('curl -u "deploy:two words666" https://x', 'curl -u "deploy:two****" https://x', ["curl-password"]),
        ("curl -u 'deploy:$Literal12' https://x", "curl -u 'deploy:$L****' https://x", ["curl-password"]),
        ("sshpass -p 'ssh pass11' ssh h", "sshpass -p 'ss**** ssh h", ["sshpass-password"]),
        ("docker login -u bot -pAttached555 registry", "docker login -u bot -pAt**** registry", ["registry-password"]),
        ("docker -H tcp://x login -u bot -p HostPw123 reg", "docker -H tcp://x login -u bot -p Ho**** reg", ["registry-password"]),
        ("crane auth login reg -u x -p CranePw12", "crane auth login reg -u x -p Cr****", ["registry-password"]),
        ("mysql -uroot -p'my secret10'", "mysql -uroot -p'my****", ["mysql-password"]),
        ("htpasswd -nb admin Redirect333 > /etc/nginx/.htpasswd", "htpasswd -nb admin Re**** > /etc/nginx/.htpasswd", ["htpasswd-password"]),
        ("htpasswd -nb admin TrailPw444 2>/dev/null", "htpasswd -nb admin Tr**** 2>/dev/null", ["htpasswd-password"]),
        ("machine h\nlogin bot\npassword Heredoc777\n", "machine h\nlogin bot\npassword He****\n", ["netrc-password"]),
        ("token gldt-abcdefghijklmnopqrstu1234", "token gldt****", ["gitlab-token"]),
        ("curl -u $USER:Pw04varuX https://x", "curl -u $USER:Pw**** https://x", ["curl-password"]),
        ("mysql -pPw59fwX -uroot", "mysql -pP**** -uroot", ["mysql-password"]),
        ("mysqladmin ping -uroot -pMyDbPassw0rd", "mysqladmin ping -uroot -pMyD****", ["mysql-password"]),
        ('sh -c "mysql -uroot -pAbcd1234"', 'sh -c "mysql -uroot -pAb****"', ["mysql-password"]),
        ("wget --password=Pw26 https://x", "wget --password=P**** https://x", ["password-option"]),
        ("redis-server --requirepass RedisPw_7f8e9d0c", "redis-server --requirepass Redi****", ["password-option"]),
        ('["redis-server", "--masterauth", "PrimaryPw12"]', '["redis-server", "--masterauth", "Pr****"]', ["password-option"]),
        ('echo "requirepass ConfPw1234" >> redis.conf', 'echo "requirepass Co****" >> redis.conf', ["redis-password"]),
        ("requirepass LinePw567\nport 6379", "requirepass Li****\nport 6379", ["redis-password"]),
        ('curl -H "Authorization: token TokHdr_s3cr3t_01" https://x', 'curl -H "Authorization: token TokH****" https://x', ["authorization-header"]),
        ('curl -H "authorization:bearer TokHdr_s3cr3t_03" https://x', 'curl -H "authorization:bearer TokH****" https://x', ["authorization-header"]),
        ('curl -H "X-Api-Key: KeyHdr_s3cr3t_04" https://x', 'curl -H "X-Api-Key: KeyH****" https://x', ["api-key-header"]),
        ("mysqladmin -u root password MyAdm_s3cr3t_05", "mysqladmin -u root password MyA****", ["mysql-password"]),
        ("MYSQL_PWD=MyPwd_s3cr3t_06 mysql -u root", "MYSQL_PWD=MyP**** mysql -u root", ["credential-assignment"]),
        ('chpasswd <<< "root:ChPw_s3cr3t_07"', 'chpasswd <<< "root:ChP****"', ["chpasswd-password"]),
        (
            "echo StdinPw_s3cr3t_08 | docker login -u me --password-stdin registry.example.com",
            "echo Stdi**** | docker login -u me --password-stdin registry.example.com",
            ["stdin-password"],
        ),
        ("echo PasswdPw_s3cr3t_09 | passwd --stdin root", "echo Pass**** | passwd --stdin root", ["stdin-password"]),
        ("DB_PASS=AssignPw_s3cr3t_10 ./migrate", "DB_PASS=Assi**** ./migrate", ["credential-assignment"]),
        ("export API_PASSPHRASE=AssignPw_s3cr3t_11 && ./run", "export API_PASSPHRASE=Assi**** && ./run", ["credential-assignment"]),
        ("redis-cli -a RedisPw_s3cr3t_12 ping", "redis-cli -a Redi**** ping", ["redis-password"]),
        (
            "npm config set //registry.example.com/:_authToken NpmTok_s3cr3t_13",
            "npm config set //registry.example.com/:_authToken NpmT****",
            ["npm-auth-token"],
        ),
        ("aws configure set aws_secret_access_key AwsCfg_s3cr3t_14", "aws configure set aws_secret_access_key AwsC****", ["aws-configure-secret"]),
        ("vault login VaultTok_s3cr3t_15", "vault login Vaul****", ["vault-token"]),
        ("redis-cli -u redis://:Pw84rdX@127.0.0.1:6379/0 ping", "redis-cli -u redis://:P****@127.0.0.1:6379/0 ping", ["url-password"]),
        ("echo 'test:test' | chpasswd", "echo 'test:t****' | chpasswd", ["chpasswd-password"]),
        ("openssl pkcs12 -export -passout pass:Pw88osX -out x.p12", "openssl pkcs12 -export -passout pass:P**** -out x.p12", ["option-password"]),
        ("keytool -importcert -storepass Pw89ktX -noprompt", "keytool -importcert -storepass P**** -noprompt", ["option-password"]),
        ("skopeo copy --src-creds bot:Pw49skX docker://a", "skopeo copy --src-creds bot:P**** docker://a", ["creds-password"]),
        ("podman pull --creds=bot:Pw50pdX image", "podman pull --creds=bot:P**** image", ["creds-password"]),
        ("machine github.com login bot password Abc123secret", "machine github.com login bot password Abc****", ["netrc-password"]),
        ("wget --http-password=ftpSecret1 https://x", "wget --http-password=ft**** https://x", ["password-option"]),
    ],
)
def test_command_line_passwords_masked(text: str, masked: str, kinds: list[str]) -> None:
    assert redact_text(text) == masked
    assert [token.kind for token in scan_tokens(text)] == kinds


@pytest.mark.parametrize(
    "text",
    [
        'curl -u "$USER:$PASS" https://x',
        "curl -u admin:$PASS https://x",
        "curl -u admin https://x",
        "sshpass -e ssh host",
        "docker login -u bot --password-stdin registry",
        'docker login -u bot -p "$PW" registry',
        "mysql -uroot -p -e 'select 1'",
        "chown mysql:mysql /x; mkdir -p /run/mysqld",
        "apt-get install -y mysql-client && mkdir -p /x",
        "git clone https://git@github.com/org/repo.git",
        "pip install git+https://${TOKEN}@github.com/org/x",
        "htpasswd -c /etc/htpasswd admin",
        "docker run --user 1000:1000 image",
        'htpasswd -Bbn admin "$ADMIN_PASSWORD" > /etc/nginx/.htpasswd',
        "# htpasswd -bc with a trailing redirect",
        "# Allow root login with password authentication for the test image only",
        "pg_dump --no-password appdatabase > /tmp/dump.sql",
        "curl --user-agent=Mozilla:5.0 https://x",
        "mysql -p`cat /x`",
        "docker run --name login -p 80:80 image",
        "git clone https://deploytoken123456@gitlab.example.com/r.git",
        "https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/5",
        "https://gitlab-deploy-user-01@gitlab.example.com/x",
        "find /usr/share/mysql -name x -print0",
        "find /var/lib/mysql /var/run/mysqld -type d -print0",
        'sh -c "mysql -uroot -p\\${MYSQL_ROOT_PASSWORD} -e \'select 1\'"',
        "mysqladmin ping -uroot -p\\$MYSQL_ROOT_PASSWORD",
        "Change your\npassword regularly.\n",
        "echo root:$ROOT_PW | chpasswd",
        "echo a:bcde | cut -d: -f1",
        "openssl rsa -passin file:/run/secrets/pw",
        "openssl enc -passin pass:$PW",
        "keytool -storepass:env STOREPASS",
        "podman pull --creds=bot:$PW image",
    ],
)
def test_command_lines_without_passwords_unchanged(text: str) -> None:
    assert redact_text(text) == text
    assert scan_tokens(text) == ()


def test_command_output_is_no_literal_secret() -> None:
    assert classify("DB_PASSWORD", "$(cat /run/secrets/db-password)") is None
    assert classify("DB_PASSWORD", "`cat /run/secrets/db-password`") is None
    assert classify("DB_PASSWORD", "hunter2hunter2") is not None


@pytest.mark.parametrize(
    "text",
    [
        "vault login -method=userpass username=me",
        "echo $PASSWORD | docker login --password-stdin registry.example.com",
        "bypass=something-long-here",
        'redis-cli -a "$REDIS_PASSWORD" ping',
        'mysqladmin -u root password "$MYSQL_ROOT_PASSWORD"',
        'curl -H "Authorization: Bearer $TOKEN" https://x',
    ],
)
def test_credential_references_not_masked(text):
    assert not scan_tokens(text)
    assert redact_text(text) == text


def test_full_width_name_value_is_masked(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine:3.20\nENV ＰＡＳＳＷＯＲＤ=unicodepassword123\n", encoding="utf-8")

    [document] = normalize(path)

    assert document.data["stages"][0]["instructions"][1]["variables"][0]["value"] == "unic****"
    assert "unicodepassword123" not in "\n".join(document.lines)
