"""The host rig: drives a board over the debug link (see README.md, "The rig").

Layout, after labgrid's split:

- `protocols`   what a board offers (power, console), as small abstract classes
- `qemu`, `serialport`   drivers that implement them (QEMU via QMP and a pty; a real serial port);
                `qmp` is the small QMP client the QEMU driver uses
- `board`       a board: its definition, boards/<name>/board.toml, plus the drivers that reach it
- `link`        the debug link: framed requests and replies over pyserial
- `strategy`    moves a board between off, bootloader and running kernel
- `flash`       sends an image to the bootloader and verifies it
- `build`, `elf`, `image`   firmware build, what the rig reads from ELF files, the flashable image
- `cli`, `rig`  the `rig` command (`rig` bootstraps the set-up first);  `errors`  RigError and kin
- `pytest_plugin`  fixtures for on-target tests;  `testrun`  `rig test` around pytest
"""
