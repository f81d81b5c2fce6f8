"""The PyPI `mrz` package's parse + validate throughput, for comparison with dasan-mrtd.

    python_mrz.py [SECONDS]

Same zones as dasan-mrtd's bench-cpu example (the Doc 9303 TD3 and TD1 specimens), measured
in CPU time of this process (time.process_time), one core.
"""
import sys
import time
from importlib.metadata import version

from mrz.checker.td1 import TD1CodeChecker
from mrz.checker.td3 import TD3CodeChecker

TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"


def rate(name, seconds, f):
    for _ in range(100):
        f()
    start = time.process_time()
    n = 0
    while time.process_time() - start < seconds:
        for _ in range(100):
            f()
        n += 100
    used = time.process_time() - start
    print(f"{name:<34} {n / used:>12.0f} /s (CPU time, {n} runs in {used:.2f} s)")


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    print(f"# Python {sys.version.split()[0]}, mrz {version('mrz')}")

    def td3():
        c = TD3CodeChecker(TD3)
        assert bool(c)
        c.fields()

    def td1():
        c = TD1CodeChecker(TD1)
        assert bool(c)
        c.fields()

    rate("mrz (PyPI) check+fields TD3", seconds, td3)
    rate("mrz (PyPI) check+fields TD1", seconds, td1)


if __name__ == "__main__":
    main()
