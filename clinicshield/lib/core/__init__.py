"""Plain Python shared by several apps' cores: no Django here."""
