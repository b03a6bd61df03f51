// `mpirun -n 2 spinnet run` shards the study across ranks and rank 0 writes one results.h5 whose
// datasets equal a single-process run's bit for bit. Skips (visibly) when this build has no MPI or
// mpirun is not installed.
#include <gtest/gtest.h>

#include <cstdlib>

#include "cli_helpers.hpp"
#include "h5_helpers.hpp"

namespace spinnet {
namespace {

TEST(Mpi, TwoRanksEqualOneProcess) {
#if !defined(SPINNET_HAVE_MPI)
  GTEST_SKIP() << "built without MPI";
#else
  if (std::system("command -v mpirun >/dev/null 2>&1") != 0) GTEST_SKIP() << "mpirun not installed";
  const test::TempDir dir;
  test::write_text(dir / "study.json", R"({
    "name": "mpi_test", "model": "auto_oscillator", "seed": 31, "precision": "float32",
    "devices": {"count": 16, "frequency_GHz": 5.0, "nonlinear_shift_GHz": -2.0, "damping_rate_per_ns": 0.5,
                "nonlinear_damping_Q": 1.0, "threshold_current_mA": 1.0, "current_mA": 2.0,
                "temperature_K": 300, "energy_aJ": 2},
    "sweep": {"axes": [{"path": "devices.current_mA", "linear": {"start": 1.2, "stop": 3.4, "count": 7}}]},
    "integration": {"dt_ps": 2, "duration_ns": 20, "transient_ns": 2}
  })");
  const auto single = test::run_cli({"run", (dir / "study.json").string(), "--out", (dir / "single").string(),
                                     "--quiet", "--backend", "cpu"},
                                    dir.path());
  ASSERT_EQ(single.exit_code, 0) << single.err;
  // As root in CI, OpenMPI needs --allow-run-as-root (and its two environment variables);
  // --oversubscribe lets 2 ranks share fewer cores. One thread per rank.
  // Appended piece by piece: GCC 12 warns (-Wrestrict, falsely) on "literal" + std::string here.
  std::string command =
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 mpirun -n 2 --allow-run-as-root "
      "--oversubscribe ";
  command.append(test::shell_quote(test::cli_path().string())).append(" run ");
  command.append(test::shell_quote((dir / "study.json").string())).append(" --out ");
  command.append(test::shell_quote((dir / "mpi").string())).append(" --quiet --backend cpu --batch-items 2 >");
  command.append(test::shell_quote((dir / "mpi-out.txt").string())).append(" 2>&1");
  const int status = std::system(command.c_str());
  ASSERT_EQ(status, 0) << test::read_text(dir / "mpi-out.txt");
  const std::string plan = test::read_text(dir / "mpi" / "checkpoint" / "plan.json");
  EXPECT_NE(plan.find("\"shards\": 2"), std::string::npos) << plan;
  EXPECT_EQ(test::compare_h5_datasets((dir / "single" / "results.h5").string(), (dir / "mpi" / "results.h5").string()),
            "");
#endif
}

}  // namespace
}  // namespace spinnet
