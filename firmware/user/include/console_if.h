/*
 * The Linux console's channel through debugd: the Linux server writes console output to debugd
 * in IPC messages with this label (MR1 = byte count, the bytes from MR2 on), and debugd passes it
 * to the host as CONSOLE frames.
 */
#pragma once

#define CONSOLE_LABEL_WRITE     0x7500u
#define CONSOLE_MAX_WRITE       240u        /* bytes per message: 60 words after MR1 */
