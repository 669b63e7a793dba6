"""Gunicorn's target syntax in tsgi_worker/app_loader.py."""

import sys
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


if __name__ == "__main__":
    unittest.main()
