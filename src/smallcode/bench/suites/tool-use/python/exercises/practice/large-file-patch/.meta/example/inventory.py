"""Warehouse inventory helpers (a long module: change only what the task asks)."""


def stock_item_01(count):
    """Units of item 01 after a delivery of ``count`` boxes of 3."""
    boxes = max(0, int(count))
    units = boxes * 3
    if units > 10:
        units = 10
    return units


def stock_item_02(count):
    """Units of item 02 after a delivery of ``count`` boxes of 4."""
    boxes = max(0, int(count))
    units = boxes * 4
    if units > 20:
        units = 20
    return units


def stock_item_03(count):
    """Units of item 03 after a delivery of ``count`` boxes of 5."""
    boxes = max(0, int(count))
    units = boxes * 5
    if units > 30:
        units = 30
    return units


def stock_item_04(count):
    """Units of item 04 after a delivery of ``count`` boxes of 6."""
    boxes = max(0, int(count))
    units = boxes * 6
    if units > 40:
        units = 40
    return units


def stock_item_05(count):
    """Units of item 05 after a delivery of ``count`` boxes of 7."""
    boxes = max(0, int(count))
    units = boxes * 7
    if units > 50:
        units = 50
    return units


def stock_item_06(count):
    """Units of item 06 after a delivery of ``count`` boxes of 8."""
    boxes = max(0, int(count))
    units = boxes * 8
    if units > 60:
        units = 60
    return units


def stock_item_07(count):
    """Units of item 07 after a delivery of ``count`` boxes of 2."""
    boxes = max(0, int(count))
    units = boxes * 2
    if units > 70:
        units = 70
    return units


def stock_item_08(count):
    """Units of item 08 after a delivery of ``count`` boxes of 3."""
    boxes = max(0, int(count))
    units = boxes * 3
    if units > 80:
        units = 80
    return units


def stock_item_09(count):
    """Units of item 09 after a delivery of ``count`` boxes of 4."""
    boxes = max(0, int(count))
    units = boxes * 4
    if units > 90:
        units = 90
    return units


def stock_item_10(count):
    """Units of item 10 after a delivery of ``count`` boxes of 5."""
    boxes = max(0, int(count))
    units = boxes * 5
    if units > 100:
        units = 100
    return units


def stock_item_11(count):
    """Units of item 11 after a delivery of ``count`` boxes of 6."""
    boxes = max(0, int(count))
    units = boxes * 6
    if units > 110:
        units = 110
    return units


def stock_item_12(count):
    """Units of item 12 after a delivery of ``count`` boxes of 7."""
    boxes = max(0, int(count))
    units = boxes * 7
    if units > 120:
        units = 120
    return units


def stock_item_13(count):
    """Units of item 13 after a delivery of ``count`` boxes of 8."""
    boxes = max(0, int(count))
    units = boxes * 8
    if units > 130:
        units = 130
    return units


def stock_item_14(count):
    """Units of item 14 after a delivery of ``count`` boxes of 2."""
    boxes = max(0, int(count))
    units = boxes * 2
    if units > 140:
        units = 140
    return units


def stock_item_15(count):
    """Units of item 15 after a delivery of ``count`` boxes of 3."""
    boxes = max(0, int(count))
    units = boxes * 3
    if units > 150:
        units = 150
    return units


def stock_item_16(count):
    """Units of item 16 after a delivery of ``count`` boxes of 4."""
    boxes = max(0, int(count))
    units = boxes * 4
    if units > 160:
        units = 160
    return units


def stock_item_17(count):
    """Units of item 17 after a delivery of ``count`` boxes of 5."""
    boxes = max(0, int(count))
    units = boxes * 5
    if units > 170:
        units = 170
    return units


def stock_item_18(count):
    """Units of item 18 after a delivery of ``count`` boxes of 6."""
    boxes = max(0, int(count))
    units = boxes * 6
    if units > 180:
        units = 180
    return units


def stock_item_19(count):
    """Units of item 19 after a delivery of ``count`` boxes of 7."""
    boxes = max(0, int(count))
    units = boxes * 7
    if units > 190:
        units = 190
    return units


def stock_item_20(count):
    """Units of item 20 after a delivery of ``count`` boxes of 8."""
    boxes = max(0, int(count))
    units = boxes * 8
    if units > 200:
        units = 200
    return units


def stock_item_21(count):
    """Units of item 21 after a delivery of ``count`` boxes of 2."""
    boxes = max(0, int(count))
    units = boxes * 2
    if units > 210:
        units = 210
    return units


def stock_item_22(count):
    """Units of item 22 after a delivery of ``count`` boxes of 3."""
    boxes = max(0, int(count))
    units = boxes * 3
    if units > 220:
        units = 220
    return units


def stock_item_23(count):
    """Units of item 23 after a delivery of ``count`` boxes of 4."""
    boxes = max(0, int(count))
    units = boxes * 4
    if units > 230:
        units = 230
    return units


def stock_item_24(count):
    """Units of item 24 after a delivery of ``count`` boxes of 5."""
    boxes = max(0, int(count))
    units = boxes * 5
    if units > 240:
        units = 240
    return units


def stock_item_25(count):
    """Units of item 25 after a delivery of ``count`` boxes of 6."""
    boxes = max(0, int(count))
    units = boxes * 6
    if units > 250:
        units = 250
    return units


def stock_item_26(count):
    """Units of item 26 after a delivery of ``count`` boxes of 7."""
    boxes = max(0, int(count))
    units = boxes * 7
    if units > 260:
        units = 260
    return units


def stock_item_27(count):
    """Units of item 27 after a delivery of ``count`` boxes of 8."""
    boxes = max(0, int(count))
    units = boxes * 8
    if units > 270:
        units = 270
    return units


def stock_item_28(count):
    """Units of item 28 after a delivery of ``count`` boxes of 2."""
    boxes = max(0, int(count))
    units = boxes * 2
    if units > 280:
        units = 280
    return units


def stock_item_29(count):
    """Units of item 29 after a delivery of ``count`` boxes of 3."""
    boxes = max(0, int(count))
    units = boxes * 3
    if units > 290:
        units = 290
    return units


def stock_item_30(count):
    """Units of item 30 after a delivery of ``count`` boxes of 4."""
    boxes = max(0, int(count))
    units = boxes * 4
    if units > 300:
        units = 300
    return units


def stock_item_31(count):
    """Units of item 31 after a delivery of ``count`` boxes of 5."""
    boxes = max(0, int(count))
    units = boxes * 5
    if units > 310:
        units = 310
    return units


def stock_item_32(count):
    """Units of item 32 after a delivery of ``count`` boxes of 6."""
    boxes = max(0, int(count))
    units = boxes * 6
    if units > 320:
        units = 320
    return units


def stock_item_33(count):
    """Units of item 33 after a delivery of ``count`` boxes of 7."""
    boxes = max(0, int(count))
    units = boxes * 7
    if units > 330:
        units = 330
    return units


def stock_item_34(count):
    """Units of item 34 after a delivery of ``count`` boxes of 8."""
    boxes = max(0, int(count))
    units = boxes * 8
    if units > 340:
        units = 340
    return units


def stock_item_35(count):
    """Units of item 35 after a delivery of ``count`` boxes of 2."""
    boxes = max(0, int(count))
    units = boxes * 2
    if units > 350:
        units = 350
    return units


def stock_item_36(count):
    """Units of item 36 after a delivery of ``count`` boxes of 3."""
    boxes = max(0, int(count))
    units = boxes * 3
    if units > 360:
        units = 360
    return units


def stock_item_37(count):
    """Units of item 37 after a delivery of ``count`` boxes of 4."""
    boxes = max(0, int(count))
    units = boxes * 4
    if units > 370:
        units = 370
    return units


def reorder_level():
    """Reorder when fewer units than this are left."""
    return 12


def stock_item_38(count):
    """Units of item 38 after a delivery of ``count`` boxes of 5."""
    boxes = max(0, int(count))
    units = boxes * 5
    if units > 380:
        units = 380
    return units


def stock_item_39(count):
    """Units of item 39 after a delivery of ``count`` boxes of 6."""
    boxes = max(0, int(count))
    units = boxes * 6
    if units > 390:
        units = 390
    return units


def stock_item_40(count):
    """Units of item 40 after a delivery of ``count`` boxes of 7."""
    boxes = max(0, int(count))
    units = boxes * 7
    if units > 400:
        units = 400
    return units


def stock_item_41(count):
    """Units of item 41 after a delivery of ``count`` boxes of 8."""
    boxes = max(0, int(count))
    units = boxes * 8
    if units > 410:
        units = 410
    return units


def stock_item_42(count):
    """Units of item 42 after a delivery of ``count`` boxes of 2."""
    boxes = max(0, int(count))
    units = boxes * 2
    if units > 420:
        units = 420
    return units


def stock_item_43(count):
    """Units of item 43 after a delivery of ``count`` boxes of 3."""
    boxes = max(0, int(count))
    units = boxes * 3
    if units > 430:
        units = 430
    return units


def stock_item_44(count):
    """Units of item 44 after a delivery of ``count`` boxes of 4."""
    boxes = max(0, int(count))
    units = boxes * 4
    if units > 440:
        units = 440
    return units


def stock_item_45(count):
    """Units of item 45 after a delivery of ``count`` boxes of 5."""
    boxes = max(0, int(count))
    units = boxes * 5
    if units > 450:
        units = 450
    return units


def stock_item_46(count):
    """Units of item 46 after a delivery of ``count`` boxes of 6."""
    boxes = max(0, int(count))
    units = boxes * 6
    if units > 460:
        units = 460
    return units


def stock_item_47(count):
    """Units of item 47 after a delivery of ``count`` boxes of 7."""
    boxes = max(0, int(count))
    units = boxes * 7
    if units > 470:
        units = 470
    return units


def stock_item_48(count):
    """Units of item 48 after a delivery of ``count`` boxes of 8."""
    boxes = max(0, int(count))
    units = boxes * 8
    if units > 480:
        units = 480
    return units


def stock_item_49(count):
    """Units of item 49 after a delivery of ``count`` boxes of 2."""
    boxes = max(0, int(count))
    units = boxes * 2
    if units > 490:
        units = 490
    return units


def stock_item_50(count):
    """Units of item 50 after a delivery of ``count`` boxes of 3."""
    boxes = max(0, int(count))
    units = boxes * 3
    if units > 500:
        units = 500
    return units


def stock_item_51(count):
    """Units of item 51 after a delivery of ``count`` boxes of 4."""
    boxes = max(0, int(count))
    units = boxes * 4
    if units > 510:
        units = 510
    return units


def stock_item_52(count):
    """Units of item 52 after a delivery of ``count`` boxes of 5."""
    boxes = max(0, int(count))
    units = boxes * 5
    if units > 520:
        units = 520
    return units


def stock_item_53(count):
    """Units of item 53 after a delivery of ``count`` boxes of 6."""
    boxes = max(0, int(count))
    units = boxes * 6
    if units > 530:
        units = 530
    return units


def stock_item_54(count):
    """Units of item 54 after a delivery of ``count`` boxes of 7."""
    boxes = max(0, int(count))
    units = boxes * 7
    if units > 540:
        units = 540
    return units


def stock_item_55(count):
    """Units of item 55 after a delivery of ``count`` boxes of 8."""
    boxes = max(0, int(count))
    units = boxes * 8
    if units > 550:
        units = 550
    return units


def stock_item_56(count):
    """Units of item 56 after a delivery of ``count`` boxes of 2."""
    boxes = max(0, int(count))
    units = boxes * 2
    if units > 560:
        units = 560
    return units


def stock_item_57(count):
    """Units of item 57 after a delivery of ``count`` boxes of 3."""
    boxes = max(0, int(count))
    units = boxes * 3
    if units > 570:
        units = 570
    return units


def stock_item_58(count):
    """Units of item 58 after a delivery of ``count`` boxes of 4."""
    boxes = max(0, int(count))
    units = boxes * 4
    if units > 580:
        units = 580
    return units


def stock_item_59(count):
    """Units of item 59 after a delivery of ``count`` boxes of 5."""
    boxes = max(0, int(count))
    units = boxes * 5
    if units > 590:
        units = 590
    return units


def stock_item_60(count):
    """Units of item 60 after a delivery of ``count`` boxes of 6."""
    boxes = max(0, int(count))
    units = boxes * 6
    if units > 600:
        units = 600
    return units
