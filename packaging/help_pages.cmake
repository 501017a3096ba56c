# cmake -DFAULTLINE=path/to/faultline -DVERSION=0.1.0 -DVERBS="run;validate;..."
#       -DMAN_OUTPUT=faultline.1.gz -DCOMPLETION_OUTPUT=faultline.bash-completion
#       -P help_pages.cmake
#
# Writes faultline's man page (roff, gzip -9n) and its bash completion from the help texts the
# binary prints (`faultline --help`, `faultline VERB --help`), so neither can drift from them.

foreach(var FAULTLINE VERSION VERBS MAN_OUTPUT COMPLETION_OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "help_pages.cmake needs -D${var}=...")
  endif()
endforeach()

function(help_text out)
  execute_process(COMMAND ${FAULTLINE} ${ARGN} --help
                  OUTPUT_VARIABLE text ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR text STREQUAL "")
    message(FATAL_ERROR "`faultline ${ARGN} --help` failed (${rc}): ${err}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Text shown as is (.nf): backslashes and hyphens escaped, a line starting with . or ' guarded.
function(roff_literal out text)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "\n([.'])" "\n\\\\&\\1" text "\n${text}")
  set(${out} ".nf${text}.fi\n" PARENT_SCOPE)
endfunction()

help_text(top)
roff_literal(top_roff "${top}")
set(man [=[.TH FAULTLINE 1 "" "faultline @VERSION@" "User Commands"
.SH NAME
faultline \- benchmark and fault\-injection harness for container platforms
.SH SYNOPSIS
.B faultline
.I VERB
.RI [ ARGS ]
.br
.B faultline
.RI [ VERB ]
.B \-\-help
.br
.B faultline \-\-version
.SH DESCRIPTION
.B faultline
runs a scripted scenario (YAML or JSON) against real container platforms on this host,
measures container start latency and density while injecting faults on a timeline, and writes
one comparable result document per run.
The verbs below compare results, gate a candidate against a base inside one run, render
reports, report what the host can do, and remove what interrupted runs left behind.
Each section below is the verb's own
.BR \-\-help .
.PP
]=])
string(CONFIGURE "${man}" man @ONLY)
string(APPEND man "${top_roff}.SH VERBS\n")
set(completion_cases "")
foreach(verb ${VERBS})
  help_text(help ${verb})
  roff_literal(help_roff "${help}")
  string(APPEND man ".SS ${verb}\n${help_roff}")

  # Options: every --name the help names outside `quoted commands` (those are other verbs');
  # one that takes a value is written somewhere as `--name VALUE` (a single space, then an
  # upper-case word or a number).
  string(REGEX REPLACE "`[^`]*`" "" help "${help}")
  string(REGEX MATCHALL "--[a-z][a-z0-9-]*" options "${help}")
  list(REMOVE_DUPLICATES options)
  list(REMOVE_ITEM options "--help")
  string(REGEX MATCHALL "--[a-z][a-z0-9-]* [A-Z0-9][A-Za-z0-9_.%|:,]*" valued "${help}")
  set(takes_file "")
  set(takes_dir "")
  set(takes_other "")
  foreach(pair ${valued})
    string(REGEX MATCH "^--[a-z][a-z0-9-]*" option "${pair}")
    if(pair MATCHES " (DIR)$")
      list(APPEND takes_dir ${option})
    elseif(pair MATCHES " ([A-Z_.]*FILE|[A-Z_]*\\.json)$")
      list(APPEND takes_file ${option})
    else()
      list(APPEND takes_other ${option})
    endif()
  endforeach()
  if(takes_other AND (takes_file OR takes_dir))
    list(REMOVE_ITEM takes_other ${takes_file} ${takes_dir})
  endif()
  foreach(kind takes_file takes_dir takes_other)
    if(${kind})
      list(REMOVE_DUPLICATES ${kind})
    endif()
    list(JOIN ${kind} " " ${kind})
  endforeach()
  list(JOIN options " " options)
  # Positional arguments, which the help texts name but do not mark up: files or sub-verbs.
  if(verb MATCHES "^(run|validate|gate|compare|report)$")
    set(positional "files")
  elseif(verb STREQUAL "cluster")
    set(positional "up status down")
  else()
    set(positional "")
  endif()
  string(APPEND completion_cases
         "    ${verb})\n"
         "      options=\"${options}\" file_options=\"${takes_file}\"\n"
         "      dir_options=\"${takes_dir}\" value_options=\"${takes_other}\"\n"
         "      positional=\"${positional}\" ;;\n")
endforeach()

string(APPEND man [=[.SH ENVIRONMENT
.TP
.B FAULTLINE_STATE_DIR
where runs keep their journals (default
.IR /run/faultline );
.B recover
reads it.
.TP
.B FAULTLINE_PROBES
.B off
runs without eBPF probes, as
.B run \-\-no\-probes
does.
.TP
.BR FAULTLINE_DELAYER ", " FAULTLINE_PAUSE
the path of faultline's helper programs, instead of looking beside the binary, then in
.I ../libexec/faultline
relative to it.
.SH FILES
.TP
.I PREFIX/share/faultline/scenarios/
the shipped scenarios and
.IR schema.json ,
the published scenario schema (the binary carries its own copy).
.I PREFIX
is
.I /usr
for the Debian package.
.TP
.I PREFIX/share/doc/faultline/
the user guide: scenario reference, faults, metric definitions, architecture.
.SH EXIT STATUS
0 pass; 1 an SLO failed or a comparison found a regression; 2 invalid input or usage;
3 the host cannot run it; 4 the harness itself failed; 5 a gate that is inconclusive;
130 interrupted.
]=])

string(REPLACE ";" " " verbs "${VERBS}")
set(completion [=[# bash completion for faultline. Generated from `faultline --help` and each verb's --help.
_faultline() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  if ((COMP_CWORD == 1)); then
    mapfile -t COMPREPLY < <(compgen -W "@verbs@ --help --version" -- "$cur")
    return
  fi
  local options="" file_options="" dir_options="" value_options="" positional=""
  case ${COMP_WORDS[1]} in
@completion_cases@    *) return ;;
  esac
  if [[ " $dir_options " == *" $prev "* ]]; then
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -d -- "$cur")
  elif [[ " $file_options " == *" $prev "* ]]; then
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  elif [[ " $value_options " == *" $prev "* ]]; then
    COMPREPLY=()
  elif [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$options --help" -- "$cur")
  elif [[ $positional == files ]]; then
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  elif [[ -n $positional ]] && ((COMP_CWORD == 2)); then
    mapfile -t COMPREPLY < <(compgen -W "$positional" -- "$cur")
  fi
}
complete -F _faultline faultline
]=])
string(CONFIGURE "${completion}" completion @ONLY)

get_filename_component(man_dir ${MAN_OUTPUT} DIRECTORY)
string(REGEX REPLACE "\\.gz$" "" man_plain ${MAN_OUTPUT})
file(WRITE ${man_plain} "${man}")
execute_process(COMMAND gzip -9nf ${man_plain} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip -9n ${man_plain} failed (${rc})")
endif()
file(WRITE ${COMPLETION_OUTPUT} "${completion}")
