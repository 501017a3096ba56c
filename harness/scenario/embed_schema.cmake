# cmake -DINPUT=schema.json -DTEMPLATE=schema_data.cc.in -DOUTPUT=out.cc -P embed_schema.cmake
# Embeds the published scenario schema into the binary; fails the build on invalid JSON.
file(READ "${INPUT}" SCHEMA_TEXT)
string(JSON _schema_type ERROR_VARIABLE _schema_error TYPE "${SCHEMA_TEXT}")
if(_schema_error)
  message(FATAL_ERROR "${INPUT} is not valid JSON: ${_schema_error}")
endif()
string(FIND "${SCHEMA_TEXT}" ")faultline_schema\"" _delimiter_at)
if(NOT _delimiter_at EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter used to embed it")
endif()
# configure_file rewrites the output only when it changes, so unrelated edits do not relink.
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
