/*
 * The CMSIS-RTOS2 interface of the modem's task layer: the names, types, values and semantics of
 * Arm's CMSIS-RTOS2 API (version 2.1), so that code written for it compiles here unchanged.
 * Only the calls the layer implements are declared; where a call behaves differently from the
 * specification, the comment says so (docs/rtos.md has the table).  The layer's own extensions
 * are in rtos.h.
 *
 * Every call may be made from a task or from another thread of the modem's space (its main
 * thread); none from the RTOS server itself.  Timeouts are in kernel ticks (1 kHz: ms).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* ---- constants --------------------------------------------------------------------------- */
#define osWaitForever           0xFFFFFFFFu

#define osFlagsWaitAny          0x00000000u
#define osFlagsWaitAll          0x00000001u
#define osFlagsNoClear          0x00000002u
/* Error values the flags calls return (bit 31 set: no valid flags value has it). */
#define osFlagsError            0x80000000u
#define osFlagsErrorUnknown     0xFFFFFFFFu
#define osFlagsErrorTimeout     0xFFFFFFFEu
#define osFlagsErrorResource    0xFFFFFFFDu
#define osFlagsErrorParameter   0xFFFFFFFCu
#define osFlagsErrorISR         0xFFFFFFFAu

#define osThreadDetached        0x00000000u
#define osThreadJoinable        0x00000001u

#define osMutexRecursive        0x00000001u
#define osMutexPrioInherit      0x00000002u
#define osMutexRobust           0x00000008u

/* ---- enums ------------------------------------------------------------------------------- */
typedef enum {
    osOK = 0,
    osError = -1,
    osErrorTimeout = -2,
    osErrorResource = -3,
    osErrorParameter = -4,
    osErrorNoMemory = -5,
    osErrorISR = -6,
    osStatusReserved = 0x7FFFFFFF
} osStatus_t;

typedef enum {
    osKernelInactive = 0,
    osKernelReady = 1,
    osKernelRunning = 2,
    osKernelLocked = 3,
    osKernelSuspended = 4,
    osKernelError = -1,
    osKernelReserved = 0x7FFFFFFF
} osKernelState_t;

typedef enum {
    osThreadInactive = 0,
    osThreadReady = 1,
    osThreadRunning = 2,
    osThreadBlocked = 3,
    osThreadTerminated = 4,
    osThreadError = -1,
    osThreadReserved = 0x7FFFFFFF
} osThreadState_t;

/* Task priorities: osPriorityIdle, and osPriorityLow .. osPriorityRealtime7.  rtos.h says which
 * L4 priority each one runs at. */
typedef enum {
    osPriorityNone = 0,
    osPriorityIdle = 1,
    osPriorityLow = 8, osPriorityLow1, osPriorityLow2, osPriorityLow3,
    osPriorityLow4, osPriorityLow5, osPriorityLow6, osPriorityLow7,
    osPriorityBelowNormal = 16, osPriorityBelowNormal1, osPriorityBelowNormal2,
    osPriorityBelowNormal3, osPriorityBelowNormal4, osPriorityBelowNormal5,
    osPriorityBelowNormal6, osPriorityBelowNormal7,
    osPriorityNormal = 24, osPriorityNormal1, osPriorityNormal2, osPriorityNormal3,
    osPriorityNormal4, osPriorityNormal5, osPriorityNormal6, osPriorityNormal7,
    osPriorityAboveNormal = 32, osPriorityAboveNormal1, osPriorityAboveNormal2,
    osPriorityAboveNormal3, osPriorityAboveNormal4, osPriorityAboveNormal5,
    osPriorityAboveNormal6, osPriorityAboveNormal7,
    osPriorityHigh = 40, osPriorityHigh1, osPriorityHigh2, osPriorityHigh3,
    osPriorityHigh4, osPriorityHigh5, osPriorityHigh6, osPriorityHigh7,
    osPriorityRealtime = 48, osPriorityRealtime1, osPriorityRealtime2, osPriorityRealtime3,
    osPriorityRealtime4, osPriorityRealtime5, osPriorityRealtime6, osPriorityRealtime7,
    osPriorityISR = 56,
    osPriorityError = -1,
    osPriorityReserved = 0x7FFFFFFF
} osPriority_t;

typedef enum {
    osTimerOnce = 0,
    osTimerPeriodic = 1
} osTimerType_t;

/* ---- handles and attributes -------------------------------------------------------------- */
typedef void (*osThreadFunc_t)(void *argument);
typedef void (*osTimerFunc_t)(void *argument);

typedef void *osThreadId_t;
typedef void *osTimerId_t;
typedef void *osEventFlagsId_t;
typedef void *osMutexId_t;
typedef void *osSemaphoreId_t;
typedef void *osMessageQueueId_t;

typedef uint32_t TZ_ModuleId_t;

typedef struct {
    uint32_t api;
    uint32_t kernel;
} osVersion_t;

/* cb_mem and cb_size are ignored everywhere: control blocks come from the layer's pools. */
typedef struct {
    const char *name;
    uint32_t attr_bits;         /* osThreadDetached only: no osThreadJoin */
    void *cb_mem;
    uint32_t cb_size;
    void *stack_mem;            /* 8-byte aligned; NULL: a block of the stack pool */
    uint32_t stack_size;        /* 0: the pool's block size */
    osPriority_t priority;      /* osPriorityNone: osPriorityNormal */
    TZ_ModuleId_t tz_module;
    uint32_t reserved;
} osThreadAttr_t;

typedef struct {
    const char *name;
    uint32_t attr_bits;
    void *cb_mem;
    uint32_t cb_size;
} osTimerAttr_t;

typedef struct {
    const char *name;
    uint32_t attr_bits;
    void *cb_mem;
    uint32_t cb_size;
} osEventFlagsAttr_t;

typedef struct {
    const char *name;
    uint32_t attr_bits;         /* osMutexRecursive, osMutexPrioInherit (osMutexRobust is the
                                 * only behaviour: a terminated owner's mutexes are released) */
    void *cb_mem;
    uint32_t cb_size;
} osMutexAttr_t;

typedef struct {
    const char *name;
    uint32_t attr_bits;
    void *cb_mem;
    uint32_t cb_size;
} osSemaphoreAttr_t;

typedef struct {
    const char *name;
    uint32_t attr_bits;
    void *cb_mem;
    uint32_t cb_size;
    void *mq_mem;               /* NULL: from the layer's message pool */
    uint32_t mq_size;           /* at least rtos.h's RTOS_MQ_MEM_SIZE(count, size) */
} osMessageQueueAttr_t;

/* ---- kernel ------------------------------------------------------------------------------- */
/* Start the server thread and the timer task.  Idempotent: osOK again on later calls. */
osStatus_t osKernelInitialize(void);
osStatus_t osKernelGetInfo(osVersion_t *version, char *id_buf, uint32_t id_size);
osKernelState_t osKernelGetState(void);
/* Tasks run as soon as they are created: this returns osOK at once (CMSIS: does not return). */
osStatus_t osKernelStart(void);
/* Ticks since the counter started (1 kHz), derived from the virtual counter: no tick interrupt. */
uint32_t osKernelGetTickCount(void);
uint32_t osKernelGetTickFreq(void);
/* The virtual counter's low word (rtos.h's rtos_systimer() has all 64 bits) and its rate. */
uint32_t osKernelGetSysTimerCount(void);
uint32_t osKernelGetSysTimerFreq(void);

/* ---- threads ------------------------------------------------------------------------------ */
osThreadId_t osThreadNew(osThreadFunc_t func, void *argument, const osThreadAttr_t *attr);
const char *osThreadGetName(osThreadId_t thread_id);
osThreadId_t osThreadGetId(void);
osThreadState_t osThreadGetState(osThreadId_t thread_id);
osStatus_t osThreadSetPriority(osThreadId_t thread_id, osPriority_t priority);
/* The priority last set (an inherited one shows in rtos_thread_l4_priority()). */
osPriority_t osThreadGetPriority(osThreadId_t thread_id);
osStatus_t osThreadYield(void);
osStatus_t osThreadTerminate(osThreadId_t thread_id);
void osThreadExit(void) __attribute__((noreturn));
uint32_t osThreadGetCount(void);

uint32_t osThreadFlagsSet(osThreadId_t thread_id, uint32_t flags);
uint32_t osThreadFlagsClear(uint32_t flags);
uint32_t osThreadFlagsGet(void);
uint32_t osThreadFlagsWait(uint32_t flags, uint32_t options, uint32_t timeout);

/* ---- delays ------------------------------------------------------------------------------- */
osStatus_t osDelay(uint32_t ticks);
/* osErrorParameter when `ticks` is not in the future (up to 2^31 - 1 ticks ahead). */
osStatus_t osDelayUntil(uint32_t ticks);

/* ---- timers ------------------------------------------------------------------------------- */
osTimerId_t osTimerNew(osTimerFunc_t func, osTimerType_t type, void *argument,
                       const osTimerAttr_t *attr);
const char *osTimerGetName(osTimerId_t timer_id);
osStatus_t osTimerStart(osTimerId_t timer_id, uint32_t ticks);
osStatus_t osTimerStop(osTimerId_t timer_id);
uint32_t osTimerIsRunning(osTimerId_t timer_id);
osStatus_t osTimerDelete(osTimerId_t timer_id);

/* ---- event flags -------------------------------------------------------------------------- */
osEventFlagsId_t osEventFlagsNew(const osEventFlagsAttr_t *attr);
uint32_t osEventFlagsSet(osEventFlagsId_t ef_id, uint32_t flags);
uint32_t osEventFlagsClear(osEventFlagsId_t ef_id, uint32_t flags);
uint32_t osEventFlagsGet(osEventFlagsId_t ef_id);
uint32_t osEventFlagsWait(osEventFlagsId_t ef_id, uint32_t flags, uint32_t options,
                          uint32_t timeout);
osStatus_t osEventFlagsDelete(osEventFlagsId_t ef_id);

/* ---- mutexes ------------------------------------------------------------------------------ */
osMutexId_t osMutexNew(const osMutexAttr_t *attr);
osStatus_t osMutexAcquire(osMutexId_t mutex_id, uint32_t timeout);
osStatus_t osMutexRelease(osMutexId_t mutex_id);
osThreadId_t osMutexGetOwner(osMutexId_t mutex_id);
osStatus_t osMutexDelete(osMutexId_t mutex_id);

/* ---- semaphores --------------------------------------------------------------------------- */
osSemaphoreId_t osSemaphoreNew(uint32_t max_count, uint32_t initial_count,
                               const osSemaphoreAttr_t *attr);
osStatus_t osSemaphoreAcquire(osSemaphoreId_t semaphore_id, uint32_t timeout);
osStatus_t osSemaphoreRelease(osSemaphoreId_t semaphore_id);
uint32_t osSemaphoreGetCount(osSemaphoreId_t semaphore_id);
osStatus_t osSemaphoreDelete(osSemaphoreId_t semaphore_id);

/* ---- message queues ----------------------------------------------------------------------- */
osMessageQueueId_t osMessageQueueNew(uint32_t msg_count, uint32_t msg_size,
                                     const osMessageQueueAttr_t *attr);
/* Messages leave in order of msg_prio (highest first), FIFO among equals. */
osStatus_t osMessageQueuePut(osMessageQueueId_t mq_id, const void *msg_ptr, uint8_t msg_prio,
                             uint32_t timeout);
osStatus_t osMessageQueueGet(osMessageQueueId_t mq_id, void *msg_ptr, uint8_t *msg_prio,
                             uint32_t timeout);
uint32_t osMessageQueueGetCapacity(osMessageQueueId_t mq_id);
uint32_t osMessageQueueGetMsgSize(osMessageQueueId_t mq_id);
uint32_t osMessageQueueGetCount(osMessageQueueId_t mq_id);
uint32_t osMessageQueueGetSpace(osMessageQueueId_t mq_id);
osStatus_t osMessageQueueDelete(osMessageQueueId_t mq_id);
