// SPDX-License-Identifier: GPL-2.0
/*
 * The MP table (Intel MultiProcessor Specification 1.4): how a guest
 * without ACPI tables learns about its vCPUs, the IOAPIC and how the ISA
 * interrupt lines reach IOAPIC pins.  Linux looks for the floating pointer
 * structure "_MP_" in the last KiB of conventional memory, which is where
 * it goes (the e820 map marks it reserved).
 *
 * Contents: one processor entry per vCPU (APIC ID = vCPU index), one ISA
 * bus, the IOAPIC (ID = number of vCPUs, so it clashes with no local APIC),
 * IOAPIC pin N = ISA IRQ N for all 24 pins, edge-triggered active-high as
 * ISA defines (KVM's default routing connects GSI N to pin N), and the
 * usual ExtINT/NMI wiring of LINT0/LINT1.
 *
 * The table is written even for one vCPU: it makes the guest use the IOAPIC,
 * whose pins 16..23 give room for more disks than the 8259 PIC would.
 */
#include <string.h>

#include "vmm.h"

#define MP_IOAPIC_PINS	24
#define MP_APIC_VERSION	0x14
#define MP_IOAPIC_VER	0x11

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_INTSRC, MP_LINTSRC };
enum { MP_IRQ_INT, MP_IRQ_NMI, MP_IRQ_SMI, MP_IRQ_EXTINT };

#define MP_CPU_ENABLED	0x01
#define MP_CPU_BSP	0x02

/* The BIOS data area words Linux reads: EBDA segment, base memory in KiB. */
#define BDA_EBDA_SEGMENT	0x40e
#define BDA_BASE_MEM_KIB	0x413

struct mpf_intel {		/* floating pointer structure */
	char signature[4];	/* "_MP_" */
	uint32_t physptr;	/* address of the configuration table */
	uint8_t length;		/* in 16-byte units: 1 */
	uint8_t specification;	/* 4 = version 1.4 */
	uint8_t checksum;
	uint8_t feature1;	/* 0: a configuration table follows */
	uint8_t feature2;
	uint8_t feature3[3];
} __attribute__((packed));

struct mpc_table {		/* configuration table header */
	char signature[4];	/* "PCMP" */
	uint16_t length;	/* header and entries */
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char productid[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t oemcount;	/* number of entries */
	uint32_t lapic;		/* local APIC address */
	uint32_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t cpuflag;
	uint32_t cpufeature;	/* CPUID 1 EAX: family/model/stepping */
	uint32_t featureflag;	/* CPUID 1 EDX */
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type;
	uint8_t busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags;
	uint32_t apicaddr;
} __attribute__((packed));

struct mpc_intsrc {		/* also used for local interrupt entries */
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;	/* 0: polarity and trigger as the bus says */
	uint8_t srcbus;
	uint8_t srcbusirq;
	uint8_t dstapic;
	uint8_t dstirq;
} __attribute__((packed));

static uint8_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return (uint8_t)-sum;
}

static void cpuid_leaf1(struct vm *vm, uint32_t *eax, uint32_t *edx)
{
	uint32_t i;

	*eax = *edx = 0;
	for (i = 0; i < vm->cpuid->nent; i++) {
		if (vm->cpuid->entries[i].function == 1) {
			*eax = vm->cpuid->entries[i].eax;
			*edx = vm->cpuid->entries[i].edx;
		}
	}
}

void mptable_write(struct vm *vm)
{
	size_t size = sizeof(struct mpf_intel) + sizeof(struct mpc_table) +
		      vm->ncpus * sizeof(struct mpc_cpu) +
		      sizeof(struct mpc_bus) + sizeof(struct mpc_ioapic) +
		      (MP_IOAPIC_PINS + 2) * sizeof(struct mpc_intsrc);
	uint8_t *base = gpa_to_hva(vm, EBDA_ADDR, HIGH_MEM_ADDR - EBDA_ADDR);
	struct mpf_intel *mpf = (struct mpf_intel *)base;
	struct mpc_table *mpc = (struct mpc_table *)(mpf + 1);
	uint8_t *p = (uint8_t *)(mpc + 1);
	uint8_t ioapic_id = (uint8_t)vm->ncpus;
	uint32_t signature, features;
	uint16_t entries = 0;
	uint16_t *bda;
	int i;

	if (size > 1024)	/* the EBDA KiB: cannot happen with MAX_CPUS */
		die("MP table too large (%zu bytes)", size);
	memset(base, 0, 1024);
	cpuid_leaf1(vm, &signature, &features);

	for (i = 0; i < vm->ncpus; i++) {
		struct mpc_cpu cpu = {
			.type = MP_PROCESSOR,
			.apicid = (uint8_t)i,
			.apicver = MP_APIC_VERSION,
			.cpuflag = MP_CPU_ENABLED | (i == 0 ? MP_CPU_BSP : 0),
			.cpufeature = signature,
			.featureflag = features,
		};

		memcpy(p, &cpu, sizeof(cpu));
		p += sizeof(cpu);
		entries++;
	}

	struct mpc_bus bus = { .type = MP_BUS, .busid = 0 };

	memcpy(bus.bustype, "ISA   ", 6);
	memcpy(p, &bus, sizeof(bus));
	p += sizeof(bus);
	entries++;

	struct mpc_ioapic ioapic = {
		.type = MP_IOAPIC,
		.apicid = ioapic_id,
		.apicver = MP_IOAPIC_VER,
		.flags = 1,	/* enabled */
		.apicaddr = (uint32_t)IOAPIC_ADDR,
	};

	memcpy(p, &ioapic, sizeof(ioapic));
	p += sizeof(ioapic);
	entries++;

	for (i = 0; i < MP_IOAPIC_PINS; i++) {
		struct mpc_intsrc irq = {
			.type = MP_INTSRC,
			.irqtype = MP_IRQ_INT,
			.srcbus = 0,
			.srcbusirq = (uint8_t)i,
			.dstapic = ioapic_id,
			.dstirq = (uint8_t)i,
		};

		memcpy(p, &irq, sizeof(irq));
		p += sizeof(irq);
		entries++;
	}

	/* LINT0 of every local APIC takes 8259 interrupts, LINT1 is NMI. */
	for (i = 0; i < 2; i++) {
		struct mpc_intsrc lint = {
			.type = MP_LINTSRC,
			.irqtype = i == 0 ? MP_IRQ_EXTINT : MP_IRQ_NMI,
			.srcbus = 0,
			.srcbusirq = 0,
			.dstapic = 0xff,	/* all local APICs */
			.dstirq = (uint8_t)i,
		};

		memcpy(p, &lint, sizeof(lint));
		p += sizeof(lint);
		entries++;
	}

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = (uint16_t)(p - (uint8_t *)mpc);
	mpc->spec = 4;
	memcpy(mpc->oem, "VBLK    ", 8);
	memcpy(mpc->productid, "VBLK-VMM    ", 12);
	mpc->oemcount = entries;
	mpc->lapic = (uint32_t)LAPIC_ADDR;
	mpc->checksum = checksum(mpc, mpc->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = (uint32_t)(EBDA_ADDR + sizeof(*mpf));
	mpf->length = 1;
	mpf->specification = 4;
	mpf->checksum = checksum(mpf, sizeof(*mpf));

	/* Tell the guest where the EBDA is and how much base memory exists. */
	bda = gpa_to_hva(vm, BDA_EBDA_SEGMENT, 2);
	*bda = (uint16_t)(EBDA_ADDR >> 4);
	bda = gpa_to_hva(vm, BDA_BASE_MEM_KIB, 2);
	*bda = (uint16_t)(EBDA_ADDR >> 10);
}
