import sys

from iscm.cli import main

sys.exit(main())
