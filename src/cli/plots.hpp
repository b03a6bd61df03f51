// `--plot`: the plotting scripts of tools/ run on a run directory, without a shell.
#pragma once

#include <string>

namespace spinnet::cli {

/// Runs tools/<script> (or the file in the environment variable `override_variable`) with python3
/// on `directory`. The interpreter is $SPINNET_PYTHON, else /usr/bin/python3 (where Debian's
/// python3-matplotlib installs), else python3 on PATH; it is started directly (fork and exec, no
/// /bin/sh), so that a missing interpreter is named by spinnet rather than by a shell. Returns 0,
/// or 2 after one line on stderr ("spinnet: --plot: ...") that says what is missing and how to
/// install it, and that the results are kept. The script prints the path of every figure it wrote.
int run_plot_script(const std::string& script, const char* override_variable, const std::string& directory);

}  // namespace spinnet::cli
