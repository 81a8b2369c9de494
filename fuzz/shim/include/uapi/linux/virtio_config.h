/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in (fuzz/shim): the system's uapi header, plus what the
 * 6.12 header has that an older C library's copy may lack.
 */
#include <linux/virtio_config.h>

#ifndef VIRTIO_F_NOTIFICATION_DATA
#define VIRTIO_F_NOTIFICATION_DATA	38
#endif
#ifndef VIRTIO_F_NOTIF_CONFIG_DATA
#define VIRTIO_F_NOTIF_CONFIG_DATA	39
#endif
#ifndef VIRTIO_F_RING_RESET
#define VIRTIO_F_RING_RESET		40
#endif
#ifndef VIRTIO_F_ADMIN_VQ
#define VIRTIO_F_ADMIN_VQ		41
#endif
