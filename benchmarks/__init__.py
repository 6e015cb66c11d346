"""Speed and memory benchmarks of ISCM Atlas, measured against the framework's own floor.

`python -m benchmarks` (or `make bench`) runs every module listed in `benchmarks.__main__.MODULES`, prints one
table and exits non-zero when a target is missed. The row format is documented in `benchmarks.common`.
Benchmarks never run in the test suite; only the helpers in `common` are unit-tested.
"""
