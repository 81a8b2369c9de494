// SPDX-License-Identifier: GPL-2.0
/*
 * A 16550A-compatible UART at 0x3f8 on IRQ 4: enough for the Linux 8250
 * driver to run the console on ttyS0.
 *
 * Output is written to stdout at once, so the transmitter is always empty.
 * Input comes from stdin through a small thread into a 16-byte receive
 * FIFO.  Two interrupt sources exist: "received data available" while the
 * FIFO holds data, and "transmitter holding register empty" (THRE), which
 * like on a real 16550 is raised when THRE interrupts get enabled and after
 * each transmitted byte, and cleared by reading IIR (when it is the reason
 * reported) or writing THR.  The IRQ line follows "some enabled interrupt
 * is pending" and is driven with KVM_IRQ_LINE; the guest sees an edge each
 * time the line rises, which is what the ISA edge-triggered IRQ 4 expects.
 *
 * Modem control loopback is emulated (the 8250 driver may probe with it);
 * baud rate, parity and modem status otherwise have no effect.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vmm.h"

/* Register offsets from the base port. */
#define UART_RX		0	/* read, DLAB=0: receive buffer */
#define UART_TX		0	/* write, DLAB=0: transmit holding */
#define UART_DLL	0	/* DLAB=1: divisor latch low */
#define UART_IER	1	/* DLAB=0: interrupt enable */
#define UART_DLM	1	/* DLAB=1: divisor latch high */
#define UART_IIR	2	/* read: interrupt identification */
#define UART_FCR	2	/* write: FIFO control */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */
#define UART_MSR	6	/* modem status */
#define UART_SCR	7	/* scratch */

#define IER_RDI		0x01	/* receive data interrupt */
#define IER_THRI	0x02	/* transmitter empty interrupt */
#define IER_MASK	0x0f

#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO_ON	0xc0	/* FIFOs enabled: what makes it a 16550A */

#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02

#define LCR_DLAB	0x80

#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define MCR_MASK	0x1f

#define LSR_DR		0x01	/* data ready */
#define LSR_THRE	0x20	/* transmit holding register empty */
#define LSR_TEMT	0x40	/* transmitter empty */

#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

#define RX_FIFO_SIZE	16

static struct {
	pthread_mutex_t lock;
	pthread_cond_t rx_space;	/* the input thread waits for room */
	struct vm *vm;
	uint8_t ier, lcr, mcr, fcr, scr, dll, dlm;
	bool thr_pending;		/* THRE interrupt raised, not taken */
	bool irq_level;			/* last level driven on SERIAL_IRQ */
	uint8_t rx[RX_FIFO_SIZE];
	unsigned int rx_head, rx_count;
} uart = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.rx_space = PTHREAD_COND_INITIALIZER,
	.dll = 12,		/* 9600 baud, as after a reset */
};

static struct termios saved_termios;
static bool termios_saved;

/* Highest-priority pending interrupt, as IIR reports it (no FIFO bits). */
static uint8_t uart_iir(void)
{
	if ((uart.ier & IER_RDI) && uart.rx_count)
		return IIR_RDI;
	if ((uart.ier & IER_THRI) && uart.thr_pending)
		return IIR_THRI;
	return IIR_NO_INT;
}

/* Drive the IRQ line to match the pending state (call with lock held). */
static void uart_update_irq(void)
{
	bool level = uart_iir() != IIR_NO_INT;

	if (level != uart.irq_level) {
		uart.irq_level = level;
		vm_irq_line(uart.vm, SERIAL_IRQ, level);
	}
}

static void rx_push(uint8_t c)
{
	if (uart.rx_count < RX_FIFO_SIZE) {
		uart.rx[(uart.rx_head + uart.rx_count) % RX_FIFO_SIZE] = c;
		uart.rx_count++;
	}
}

static uint8_t rx_pop(void)
{
	uint8_t c = 0;

	if (uart.rx_count) {
		c = uart.rx[uart.rx_head];
		uart.rx_head = (uart.rx_head + 1) % RX_FIFO_SIZE;
		uart.rx_count--;
		pthread_cond_signal(&uart.rx_space);
	}
	return c;
}

static void transmit(uint8_t c)
{
	if (uart.mcr & MCR_LOOP) {
		rx_push(c);
		return;
	}
	/* stdout may be a pipe that is gone: drop the byte, keep running. */
	while (write(STDOUT_FILENO, &c, 1) < 0 && errno == EINTR)
		;
}

static uint8_t uart_read(unsigned int reg)
{
	uint8_t iir, msr;

	switch (reg) {
	case UART_RX:
		if (uart.lcr & LCR_DLAB)
			return uart.dll;
		return rx_pop();
	case UART_IER:
		if (uart.lcr & LCR_DLAB)
			return uart.dlm;
		return uart.ier;
	case UART_IIR:
		iir = uart_iir();
		if (iir == IIR_THRI)	/* reading IIR takes the interrupt */
			uart.thr_pending = false;
		return iir | ((uart.fcr & FCR_ENABLE) ? IIR_FIFO_ON : 0);
	case UART_LCR:
		return uart.lcr;
	case UART_MCR:
		return uart.mcr;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT | (uart.rx_count ? LSR_DR : 0);
	case UART_MSR:
		if (!(uart.mcr & MCR_LOOP))	/* a terminal is connected */
			return MSR_DCD | MSR_DSR | MSR_CTS;
		msr = 0;
		if (uart.mcr & MCR_DTR)
			msr |= MSR_DSR;
		if (uart.mcr & MCR_RTS)
			msr |= MSR_CTS;
		if (uart.mcr & MCR_OUT1)
			msr |= MSR_RI;
		if (uart.mcr & MCR_OUT2)
			msr |= MSR_DCD;
		return msr;
	case UART_SCR:
		return uart.scr;
	}
	return 0xff;
}

static void uart_write(unsigned int reg, uint8_t val)
{
	switch (reg) {
	case UART_TX:
		if (uart.lcr & LCR_DLAB) {
			uart.dll = val;
			break;
		}
		transmit(val);
		uart.thr_pending = true;	/* sent at once: empty again */
		break;
	case UART_IER:
		if (uart.lcr & LCR_DLAB) {
			uart.dlm = val;
			break;
		}
		/* Enabling THRE interrupts with THR empty raises one. */
		if (!(uart.ier & IER_THRI) && (val & IER_THRI))
			uart.thr_pending = true;
		uart.ier = val & IER_MASK;
		break;
	case UART_FCR:
		uart.fcr = val & FCR_ENABLE;
		if (val & FCR_CLEAR_RX) {
			uart.rx_count = 0;
			pthread_cond_signal(&uart.rx_space);
		}
		break;
	case UART_LCR:
		uart.lcr = val;
		break;
	case UART_MCR:
		uart.mcr = val & MCR_MASK;
		break;
	case UART_SCR:
		uart.scr = val;
		break;
	}
}

/* One byte-wide access to port SERIAL_PORT + 0..7, from a vCPU thread. */
void serial_io(uint16_t port, uint8_t *data, bool is_write)
{
	unsigned int reg = port - SERIAL_PORT;

	pthread_mutex_lock(&uart.lock);
	if (is_write)
		uart_write(reg, *data);
	else
		*data = uart_read(reg);
	uart_update_irq();
	pthread_mutex_unlock(&uart.lock);
}

/* Feed stdin to the receive FIFO until EOF; a full FIFO makes it wait. */
static void *input_thread(void *arg)
{
	uint8_t buf[64];
	ssize_t n, i;

	(void)arg;
	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		pthread_mutex_lock(&uart.lock);
		for (i = 0; i < n; i++) {
			while (uart.rx_count == RX_FIFO_SIZE)
				pthread_cond_wait(&uart.rx_space, &uart.lock);
			rx_push(buf[i]);
			uart_update_irq();
		}
		pthread_mutex_unlock(&uart.lock);
	}
}

static void restore_terminal(void)
{
	if (termios_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
}

static void on_fatal_signal(int sig)
{
	restore_terminal();	/* tcsetattr is async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * On a terminal, pass keys to the guest one by one without echo; Ctrl-C
 * still signals the VMM (ISIG stays on), and the terminal is restored on
 * every exit path.
 */
static void setup_terminal(void)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios))
		return;
	termios_saved = true;
	atexit(restore_terminal);
	signal(SIGINT, on_fatal_signal);
	signal(SIGTERM, on_fatal_signal);
	signal(SIGHUP, on_fatal_signal);
	raw = saved_termios;
	raw.c_lflag &= ~(ICANON | ECHO);
	raw.c_iflag &= ~(ICRNL | IXON);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw))
		warn("stdin: cannot set terminal mode: %s", strerror(errno));
}

void serial_init(struct vm *vm)
{
	pthread_t thread;
	int err;

	uart.vm = vm;
	/* A background job reading its terminal would be stopped: no input. */
	if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) != getpgrp())
		return;
	setup_terminal();
	err = pthread_create(&thread, NULL, input_thread, NULL);
	if (err) {
		errno = err;
		die_errno("pthread_create for serial input");
	}
	pthread_detach(thread);
}
