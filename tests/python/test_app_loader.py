"""Gunicorn's target syntax in tsgi_worker/app_loader.py."""

import os
import sys
import tempfile
import types
import unittest

from tsgi_worker.app_loader import AppImportError, import_app


def make_module():
    module = types.ModuleType("tsgi_loader_fixture")

    def application(environ, start_response):
        return []

    def create_app(name="x", debug=True):
        def app(environ, start_response):
            return [name.encode()]

        app.debug = debug
        return app

    module.application = application
    module.app = application
    module.create_app = create_app
    module.nothing = None
    module.number = 3
    module.ns = types.SimpleNamespace(app=application)
    sys.modules["tsgi_loader_fixture"] = module
    return module


class ImportApp(unittest.TestCase):
    def setUp(self):
        self.module = make_module()

    def test_module_alone_means_application(self):
        self.assertIs(import_app("tsgi_loader_fixture"), self.module.application)

    def test_module_colon_name(self):
        self.assertIs(import_app("tsgi_loader_fixture:app"), self.module.app)

    def test_dotted_attribute(self):
        self.assertIs(import_app("tsgi_loader_fixture:ns.app"), self.module.application)

    def test_factory_call_with_literal_arguments(self):
        app = import_app("tsgi_loader_fixture:create_app('prod', debug=False)")
        self.assertEqual(app({}, None), [b"prod"])
        self.assertFalse(app.debug)

    def test_missing_attribute_names_it(self):
        with self.assertRaisesRegex(AppImportError, "Failed to find attribute 'nope' in 'tsgi_loader_fixture'"):
            import_app("tsgi_loader_fixture:nope")

    def test_none_and_non_callable_are_refused(self):
        with self.assertRaises(AppImportError):
            import_app("tsgi_loader_fixture:nothing")
        with self.assertRaisesRegex(AppImportError, "not callable"):
            import_app("tsgi_loader_fixture:number")

    def test_non_literal_factory_arguments_are_refused(self):
        with self.assertRaisesRegex(AppImportError, "literal"):
            import_app("tsgi_loader_fixture:create_app(os.environ)")

    def test_missing_module_raises_module_not_found(self):
        with self.assertRaises(ModuleNotFoundError):
            import_app("tsgi_no_such_module_at_all:app")


class PasteTarget(unittest.TestCase):
    """--paste arrives as 'config:/ABSOLUTE/FILE[#NAME]' (src/config/resolve.ts): PasteDeploy's loadapp."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.ini = os.path.join(self.dir, "site.ini")
        with open(self.ini, "w") as f:
            f.write("[app:main]\nuse = call:tsgi_loader_fixture:create_app\nname = %(who)s\n")
            f.write("[app:admin]\nuse = call:tsgi_loader_fixture:create_app\nname = admin\n")
        module = make_module()
        module.create_app = lambda global_conf, name="x": (lambda environ, start_response: [name.encode()])

    def test_main_app_with_the_global_conf(self):
        app = import_app("config:" + self.ini, {"who": "world"})
        self.assertEqual(app({}, None), [b"world"])

    def test_a_named_app(self):
        self.assertEqual(import_app("config:%s#admin" % self.ini)({}, None), [b"admin"])

    def test_a_module_named_config_is_still_a_module(self):
        module = types.ModuleType("config")
        module.application = lambda environ, start_response: [b"module"]
        sys.modules["config"] = module
        self.addCleanup(sys.modules.pop, "config")
        self.assertEqual(import_app("config:application")({}, None), [b"module"])


if __name__ == "__main__":
    unittest.main()
