"""Checksums of Redis's formats, as the tests' own reference."""


def crc64(data):
    """CRC-64/Jones, reflected, as RDB files and DUMP payloads use."""
    poly = 0x95AC9329AC4BC9B5
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
    return crc
