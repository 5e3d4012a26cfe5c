"""Location: NMEA sentences (checksums, RMC and GGA), gpsd reports over TCP, fixed positions."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from platekeeper.agent.config import LocationConfig
from platekeeper.agent.location import (
    Fix,
    GpsdLocation,
    NmeaLocation,
    nmea_checksum_ok,
    open_location,
    parse_gpsd,
    parse_nmea,
)

RMC = "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A"
GGA = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47"


def test_an_rmc_sentence_gives_position_speed_and_course():
    assert parse_nmea(RMC) == Fix(
        latitude=48.1173, longitude=11.5166667, heading=84.4, speed_kmh=41.48
    )


def test_a_gga_sentence_gives_the_position():
    assert parse_nmea(GGA + "\r\n") == Fix(latitude=48.1173, longitude=11.5166667)


def test_southern_and_western_hemispheres_are_negative():
    body = "GNRMC,010203,A,3749.290,S,12213.800,W,0.0,,010126,,"
    checksum = 0
    for char in body:
        checksum ^= ord(char)
    fix = parse_nmea(f"${body}*{checksum:02X}")

    assert fix is not None
    assert (fix.latitude, fix.longitude) == (-37.8215, -122.23)


@pytest.mark.parametrize(
    "sentence",
    [
        RMC.replace("*6A", "*6B"),  # wrong checksum
        RMC.replace(",A,", ",V,").replace("*6A", "*7D"),  # receiver warning: no fix
        GGA.replace(",1,08,", ",0,08,"),  # checksum now wrong too, and quality 0
        "$GPGSV,3,1,11,03,03,111,00,04,15,270,00,06,01,010,00,13,06,292,00*74",
        "garbage",
        "",
    ],
)
def test_sentences_without_a_valid_fix_give_none(sentence):
    assert parse_nmea(sentence) is None


def test_the_checksum_is_checked():
    assert nmea_checksum_ok(RMC)
    assert not nmea_checksum_ok(RMC[:-2] + "00")
    assert not nmea_checksum_ok("$GPRMC,no,star")


def test_gpsd_tpv_reports_give_a_fix_and_other_classes_do_not():
    tpv = '{"class":"TPV","mode":3,"lat":37.82,"lon":-122.23,"track":91.5,"speed":10.0}'

    assert parse_gpsd(tpv) == Fix(37.82, -122.23, heading=91.5, speed_kmh=36.0)
    assert parse_gpsd('{"class":"TPV","mode":1}') is None
    assert parse_gpsd('{"class":"SKY","satellites":[]}') is None
    assert parse_gpsd("not json") is None


def test_the_gpsd_client_follows_a_gpsd_server():
    """GIVEN a fake gpsd on a local port WHEN the agent watches it THEN it takes the TPV fix."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    asked = []

    def serve():
        conn, _ = listener.accept()
        with conn:
            asked.append(conn.recv(200))
            conn.sendall(b'{"class":"VERSION","release":"3.25"}\n')
            conn.sendall(b'{"class":"TPV","mode":2,"lat":37.8,"lon":-122.2}\n')
            time.sleep(1)

    threading.Thread(target=serve, daemon=True).start()
    location = GpsdLocation("127.0.0.1", port)
    stop = threading.Event()
    location.start(stop)
    try:
        deadline = time.monotonic() + 5
        while location.current() is None and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        listener.close()

    assert location.current() == Fix(37.8, -122.2)
    assert asked[0].startswith(b"?WATCH=")


def test_an_nmea_device_is_read_line_by_line(tmp_path):
    device = tmp_path / "ttyFAKE"
    device.write_text(f"{GGA}\r\n$GPGSV,garbage\r\n{RMC}\r\n")
    location = open_location(LocationConfig(kind="nmea", device=str(device)))
    stop = threading.Event()
    assert isinstance(location, NmeaLocation)
    location.start(stop)
    try:
        deadline = time.monotonic() + 5
        while (location.current() is None or location.current().speed_kmh is None) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.02)
    finally:
        stop.set()

    assert location.current() == parse_nmea(RMC)


def test_a_fixed_location_is_always_the_same():
    location = open_location(LocationConfig(kind="fixed", latitude=37.8, longitude=-122.2))

    assert location.current() == Fix(37.8, -122.2)
    assert open_location(LocationConfig()).current() is None
