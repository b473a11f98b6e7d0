"""Moving clients in and out of the vault from the GUI: the import wizard, the export
dialog, the owner's automatic-backup settings and the vault's phone region. Each goes
through its service (role checks, the owner's threshold and the audit happen there)."""

from crmdesk.gui.data_io.backup_settings import BackupSettingsDialog
from crmdesk.gui.data_io.export_dialog import ExportDialog
from crmdesk.gui.data_io.import_wizard import ImportWizard
from crmdesk.gui.data_io.phone_region import PhoneRegionDialog

__all__ = ["BackupSettingsDialog", "ExportDialog", "ImportWizard", "PhoneRegionDialog"]
