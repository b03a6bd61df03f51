// The JSON Schema of spinnet configs (src/config/spinnet.schema.json, draft 2020-12, compiled into
// the library) and the validator that reports every violation with its JSON path.
//
// The validator interprets the subset of JSON Schema the file uses: type, enum, const,
// properties, required, additionalProperties: false, items, minItems, maxItems, minimum, maximum,
// exclusiveMinimum, exclusiveMaximum, $ref (to "#/$defs/..."; siblings apply too, as in 2020-12),
// allOf, anyOf, if/then/else. For anyOf it reports the problems of the branch that fits the value
// best (by JSON type, then by shared keys), so "alpha": {"normal": {"mean": 1}} gets
// "devices.alpha.normal.std ..." rather than "matches no alternative". A key the schema does not
// list gets "did you mean ...". Where the file uses a keyword outside this subset, a test fails
// (tests/test_config_schema.cpp), so the file cannot silently mean more than is checked.
//
// Why not valijson (Debian libvalijson-dev): its messages are its own ("Failed to match against
// any enum values"), with no expected/given pair and no "did you mean", and choosing the branch of
// an anyOf to report needs the schema anyway; this ~300-line interpreter gives messages in the
// form every other spinnet error uses, with no new build dependency. Any standard validator can
// still check configs against the same file.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "spinnet/config/config.hpp"

namespace spinnet {

/// One schema violation: JSON path ("devices.rf_drive[0].frequency_GHz"), expected, given.
struct SchemaProblem {
  std::string path, expected, given;
};

/// The config schema (parsed once).
const json& config_schema();

/// The keywords the validator understands (a test checks the schema uses no other).
const std::set<std::string>& supported_schema_keywords();

/// Every violation of `schema` by `value`, in document order.
std::vector<SchemaProblem> schema_problems(const json& value, const json& schema);

}  // namespace spinnet
