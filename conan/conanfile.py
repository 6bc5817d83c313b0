"""Conan 2 recipe for accrete.

From the project root:
    conan create conan --build=missing

The recipe lives in conan/ and exports the sources from the folder above it.
The package it makes is the same one `cmake --install` makes (accreteConfig.cmake
and the accrete::accrete target); package_info describes it to CMakeDeps.
"""
import os
import re

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, rmdir


def _project_version(root):
    """The version from project(accrete VERSION x.y.z) in CMakeLists.txt."""
    with open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8") as f:
        return re.search(r"project\(accrete\s+VERSION\s+([0-9.]+)", f.read()).group(1)


class AccreteConan(ConanFile):
    name = "accrete"
    description = ("An embeddable C++20 database in the style of Datomic's peer: "
                   "immutable facts, EDN, Datalog, time travel, LMDB storage")
    topics = ("database", "datalog", "edn", "lmdb", "datomic")
    package_type = "static-library"
    settings = "os", "arch", "compiler", "build_type"
    options = {"fPIC": [True, False]}
    default_options = {"fPIC": True}

    def set_version(self):
        self.version = self.version or _project_version(os.path.join(self.recipe_folder, ".."))

    def export_sources(self):
        root = os.path.join(self.recipe_folder, "..")
        for pattern in ("CMakeLists.txt", "cmake/*", "include/*", "lib/*", "tests/*",
                        "bench/*", "examples/*", "README.md", "LICENSE*"):
            copy(self, pattern, src=root, dst=self.export_sources_folder)

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def layout(self):
        cmake_layout(self)

    # The versions Debian 12 ships, which CI builds and tests with.
    def requirements(self):
        # Public: include/accrete/*.hpp include absl headers.
        self.requires("abseil/20220623.1", transitive_headers=True)
        self.requires("fmt/9.1.0")
        self.requires("lmdb/0.9.31")
        self.requires("nlohmann_json/3.11.2")

    def build_requirements(self):
        self.tool_requires("cmake/[>=3.25 <4]")
        self.test_requires("gtest/1.12.1")
        self.test_requires("benchmark/1.7.1")

    def validate(self):
        check_min_cppstd(self, 20)

    def generate(self):
        tc = CMakeToolchain(self)
        build_tests = not self.conf.get("tools.build:skip_test", default=False)
        tc.cache_variables["ACCRETE_BUILD_TESTS"] = build_tests
        tc.cache_variables["ACCRETE_BUILD_BENCH"] = False
        tc.cache_variables["ACCRETE_BUILD_EXAMPLES"] = False
        tc.generate()
        deps = CMakeDeps(self)
        # accrete's CMake looks for LMDB the way Debian provides it (FindLMDB.cmake,
        # target LMDB::LMDB); give Conan's lmdb the same names.
        deps.set_property("lmdb", "cmake_file_name", "LMDB")
        deps.set_property("lmdb", "cmake_target_name", "LMDB::LMDB")
        deps.generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()
        if not self.conf.get("tools.build:skip_test", default=False):
            # The package test installs and consumes system-wide packages; the
            # conan test_package does the same job here.
            cmake.ctest(cli_args=["--output-on-failure", "-LE", "package"])

    def package(self):
        cmake = CMake(self)
        cmake.install()
        # Conan generates its own config files for consumers (package_info).
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "accrete")
        self.cpp_info.set_property("cmake_target_name", "accrete::accrete")
        self.cpp_info.libs = ["accrete"]
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread"]
