"""Bad input: each mistake gets a message naming its line or option; good input still proceeds."""

from __future__ import annotations

import pytest

from clinicscout.seeds import SeedFileError, read_seeds
from crawler.scope import InvalidWebsite, normalise_website
from tests.conftest import run_cli

BAD_WEBSITES = {
    "http://[::1": "Invalid IPv6 URL",
    "javascript:alert(1)": "only http and https",
    "mailto:front@clinic.example": "only http and https",
    "file:///etc/passwd": "only http and https",
    "data:text/html,hi": "only http and https",
    "ftp://clinic.example/": "only http and https",
    "https://admin:secret@clinic.example/": "user name or password",
    "https://clinic.example@127.0.0.1/": "user name or password",
    "http://exa mple.com": "spaces or control characters",
    "http://clinic.example/\x00": "spaces or control characters",
    "https://clinic.example:99999/": "Port out of range",
    "https://clinic.example:http/": "Port could not be cast",
    "http://": "no host name",
    "   ": "empty website",
}


@pytest.mark.parametrize("raw, reason", BAD_WEBSITES.items())
def test_a_website_that_cannot_be_crawled_is_refused_with_the_reason(raw, reason):
    with pytest.raises(InvalidWebsite, match=reason.replace("(", r"\(")):
        normalise_website(raw)


@pytest.mark.parametrize("raw, website", [
    ("clinic.example", "https://clinic.example/"),
    ("clinic.example:8080", "https://clinic.example:8080/"),
    ("HTTP://Clinic.Example/About", "http://clinic.example/About"),
])
def test_ordinary_websites_are_normalised(raw, website):
    assert normalise_website(raw) == website


def write(tmp_path, data: bytes, name="seeds.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_every_kind_of_bad_row_is_reported_by_its_line_and_good_rows_still_load(tmp_path):
    path = write(tmp_path, (
        "\ufeffname,Website,city\r\n"                            # 1: BOM, mixed case, CRLF
        "Good One,https://one.example,Austin\r\n"                # 2
        "Bad Scheme,javascript:alert(1),Austin\r\n"              # 3
        '"Two\r\nLines",https://two.example,"Round\r\nRock"\r\n'  # 4-6: quoted newlines
        "Too,many,fields,here\r\n"                               # 7
        "Dup,HTTPS://ONE.example/,Austin\r\n"                    # 8: duplicate of line 2
        "Creds,https://u:p@three.example,Austin\r\n"             # 9
        "Huge," + "x" * 200_000 + ",Austin\r\n"                  # 10: field over the csv limit
        "\r\n"                                                   # 11: blank, ignored
        "Short,https://four.example\r\n"                         # 12: fewer fields is fine
    ).encode())
    seeds, errors = read_seeds(path)
    assert [s.website for s in seeds] == ["https://one.example/", "https://two.example/", "https://four.example/"]
    assert seeds[1].details == {"name": "Two\r\nLines", "city": "Round\r\nRock"}
    assert [e.split(":")[0] for e in errors] == ["line 10", "line 3", "line 7", "line 8", "line 9"]
    assert "field larger than field limit" in errors[0]
    assert "duplicate of an earlier row" in errors[3]


def test_a_hundred_thousand_rows_load_with_the_bad_ones_reported(tmp_path):
    lines = ["website,name"] + [f"https://clinic{n}.example,Clinic {n}" for n in range(100_000)]
    lines[500] = "not a url at all,Broken"
    lines[70_000] = lines[1]
    path = write(tmp_path, ("\n".join(lines) + "\n").encode())
    seeds, errors = read_seeds(path)
    assert len(seeds) == 99_998
    assert errors == ["line 501: 'not a url at all': spaces or control characters in a website",
                      "line 70001: duplicate of an earlier row (https://clinic0.example/)"]


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"name,url\nA,https://a.example\n", "no 'website' column"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "is not UTF-8 text"),
    ("website\nhttps://caf\u00e9.example\n".encode("latin-1"), "is not UTF-8 text"),
])
def test_a_seed_file_that_cannot_be_used_is_refused_whole(tmp_path, content, message):
    with pytest.raises(SeedFileError, match=message):
        read_seeds(write(tmp_path, content))


def test_a_missing_seed_file_is_named(tmp_path):
    with pytest.raises(SeedFileError, match="cannot read .*missing.csv"):
        read_seeds(tmp_path / "missing.csv")


def test_a_seed_file_with_no_valid_row_never_falls_back_to_recrawling_the_database(tmp_path):
    path = write(tmp_path, b"website\nftp://a.example\n")
    result = run_cli("crawl", "--seeds", str(path), "--db", str(tmp_path / "x.db"), check=False)
    assert result.returncode == 2
    assert "line 2: 'ftp://a.example': only http and https" in result.stderr
    assert "Invalid value for --seeds" in result.stderr and "has no valid website" in result.stderr
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("options, message", [
    (["--max-pages", "0"], "Invalid value for '--max-pages'"),
    (["--max-pages", "lots"], "Invalid value for '--max-pages'"),
    (["--delay", "-1"], "Invalid value for '--delay'"),
    (["-s", "DOWNLOAD_TIMEOUT"], "Invalid value for '-s' / '--set': 'DOWNLOAD_TIMEOUT' is not NAME=VALUE"),
    (["--seeds", "."], "Invalid value for '--seeds'"),
    (["--db", "."], "Invalid value for '--db'"),
    (["--frobnicate"], "No such option '--frobnicate'"),
])
def test_invalid_options_are_named(tmp_path, options, message):
    result = run_cli("crawl", "https://clinic.example", *options, check=False)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_that_is_not_a_database_is_named_and_left_alone(tmp_path):
    db = write(tmp_path, b"name,website\nnot,a database\n" * 100, name="clinics.db")
    before = db.read_bytes()
    result = run_cli("crawl", "https://clinic.example", "--db", str(db), check=False)
    assert result.returncode == 1
    assert f"cannot use database {db}: file is not a database" in result.stderr
    assert db.read_bytes() == before
