#!/usr/bin/env python3
"""Independent validation of the FHIR documents the edge exports (issue 22).

Reads JSON documents (one Bundle per file, or NDJSON: one Bundle per line) from the files named on the command line
(or standard input with `-`), and for each Bundle:

- validates the Bundle with the `fhir.resources` R4B models (pydantic: unknown members, wrong types, empty strings
  and malformed dates, codes, ids and instants are refused), and every entry's resource again with its own model
  class;
- checks the document rules: type `document`, an identifier with system and value, a timestamp, the first entry a
  Composition, unique `urn:uuid:` full URLs, every reference inside the Bundle resolving to an entry;
- prints what it read back, one JSON object per document (name, kana, birth date, diagnosis date, each test's method
  and result, ...), for the caller to compare with what was filed.

Exit status 0 when every document passed; 1 (with the errors on standard error, one per line) otherwise.
"""

import importlib
import json
import sys

from fhir.resources.R4B.bundle import Bundle

LOCAL = "urn:her-sys:code:"
EN_REPRESENTATION = "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation"


def model_class(resource_type):
    module = importlib.import_module("fhir.resources.R4B." + resource_type.lower())
    return getattr(module, resource_type)


def references(value, out):
    if isinstance(value, dict):
        ref = value.get("reference")
        if isinstance(ref, str):
            out.append(ref)
        for v in value.values():
            references(v, out)
    elif isinstance(value, list):
        for v in value:
            references(v, out)
    return out


def local_code(concept, system):
    for c in (concept or {}).get("coding", []):
        if c.get("system") == LOCAL + system:
            return c.get("code")
    return None


def read_back(doc):
    """The key fields, read from the validated document's resources."""
    by_url = {e["fullUrl"]: e["resource"] for e in doc["entry"]}
    resources = [e["resource"] for e in doc["entry"]]

    def of(kind):
        return [r for r in resources if r["resourceType"] == kind]

    patient = of("Patient")[0]
    names = {}
    for n in patient.get("name", []):
        for ext in n.get("extension", []):
            if ext.get("url") == EN_REPRESENTATION:
                names[ext.get("valueCode")] = n.get("text")
    condition = of("Condition")[0]
    tests = []
    for o in of("Observation"):
        cats = [c.get("code") for cat in o.get("category", []) for c in cat.get("coding", [])]
        if "laboratory" not in cats:
            continue
        specimen = by_url.get((o.get("specimen") or {}).get("reference"), {})
        loinc = [c["code"] for c in o["code"].get("coding", []) if c.get("system") == "http://loinc.org"]
        tests.append({
            "method": local_code(o["code"], "diagnostic-method"),
            "loinc": loinc[0] if loinc else None,
            "result": local_code(o.get("valueCodeableConcept"), "test-result"),
            "specimen": local_code(specimen.get("type"), "specimen"),
            "specimen_date": o.get("effectiveDateTime"),
        })
    qr = of("QuestionnaireResponse")[0]
    link_ids = []

    def walk(items):
        for i in items or []:
            link_ids.append(i["linkId"])
            walk(i.get("item"))
    walk(qr.get("item"))
    return {
        "identifier": doc["identifier"]["value"],
        "record_id": next((i["value"] for i in patient.get("identifier", [])
                           if i.get("system") == "urn:her-sys:record-id"), None),
        "name": names.get("IDE"),
        "kana": names.get("SYL"),
        "gender": patient.get("gender"),
        "birth_date": patient.get("birthDate"),
        "diagnosis_date": condition.get("recordedDate"),
        "onset_date": condition.get("onsetDateTime"),
        "verification": condition["verificationStatus"]["coding"][0]["code"],
        "category": local_code((condition.get("category") or [{}])[0], "case-category"),
        "tests": tests,
        "encounter": bool(of("Encounter")),
        "link_ids": link_ids,
        "resource_types": sorted({r["resourceType"] for r in resources}),
    }


def check(doc):
    """Errors of one document (empty when it passes)."""
    errors = []
    try:
        Bundle.model_validate(doc)
    except Exception as e:  # pydantic.ValidationError, or a resource type the models do not know
        errors.append("Bundle: " + " ".join(str(e).split()))
    entries = doc.get("entry") or []
    for i, e in enumerate(entries):
        res = e.get("resource") or {}
        kind = res.get("resourceType")
        try:
            model_class(kind).model_validate(res)
        except Exception as ex:
            errors.append(f"entry[{i}] {kind}: " + " ".join(str(ex).split()))
    if doc.get("type") != "document":
        errors.append("Bundle.type is not document")
    ident = doc.get("identifier") or {}
    if not ident.get("system") or not ident.get("value"):
        errors.append("a document needs Bundle.identifier with system and value")
    if not doc.get("timestamp"):
        errors.append("a document needs Bundle.timestamp")
    if not entries or (entries[0].get("resource") or {}).get("resourceType") != "Composition":
        errors.append("the first entry of a document must be a Composition")
    urls = [e.get("fullUrl") for e in entries]
    if len(set(urls)) != len(urls):
        errors.append("full URLs are not unique")
    for i, e in enumerate(entries):
        url = e.get("fullUrl") or ""
        rid = (e.get("resource") or {}).get("id")
        if not url.startswith("urn:uuid:") or url != f"urn:uuid:{rid}":
            errors.append(f"entry[{i}] fullUrl {url!r} is not urn:uuid:<its id>")
    known = set(urls)
    for ref in references(doc.get("entry"), []):
        if ref not in known:
            errors.append(f"reference {ref!r} does not resolve inside the Bundle")
    if not errors:
        comp = entries[0]["resource"]
        sectioned = set(references(comp.get("section"), []))
        for kind in ("Patient", "Condition", "QuestionnaireResponse"):
            if not any(e["fullUrl"] in sectioned for e in entries if e["resource"]["resourceType"] == kind):
                errors.append(f"no section references the {kind}")
    return errors


def documents(paths):
    for path in paths:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
        stripped = text.strip()
        if not stripped:
            continue
        try:
            value = json.loads(stripped)
        except json.JSONDecodeError:
            # NDJSON: one Bundle per line.
            for n, line in enumerate(stripped.splitlines(), 1):
                if line.strip():
                    yield f"{path}:{n}", json.loads(line)
            continue
        for n, doc in enumerate(value if isinstance(value, list) else [value], 1):
            yield f"{path}#{n}", doc


def main(argv):
    if len(argv) < 2:
        print("usage: validate.py FILE.json|FILE.ndjson|- ...", file=sys.stderr)
        return 2
    failed = 0
    count = 0
    for where, doc in documents(argv[1:]):
        count += 1
        errors = check(doc)
        if errors:
            failed += 1
            for e in errors:
                print(f"{where}: {e}", file=sys.stderr)
        else:
            print(json.dumps({"where": where, **read_back(doc)}, ensure_ascii=False))
    print(f"validated {count} document(s), {failed} failed", file=sys.stderr)
    return 1 if failed or not count else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
